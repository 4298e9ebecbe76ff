"""Who may download a document: those who may see where it is used.

Wagtail guards a document only by its collection's view restriction, so a
document in an open collection used only on members-only pages would be
public at ``/documents/<id>/<name>`` and in the API. Here a document also
follows its uses, read from Wagtail's reference index (kept current on every
save; ``WAGTAIL_USAGE_COUNT_ENABLED`` shows the same uses in the admin):

- not used anywhere, or used outside pages (a snippet, a setting): its
  collection decides, as in Wagtail;
- used on pages: served to whoever may see at least one use, that is a live
  page whose view restrictions they pass (signed in, in a group, or the
  page's password entered), so a document used on one public live page stays
  public;
- a part of a page narrower than the page (a working group's members-only
  space) is judged by the app that owns it, through the
  ``document_use_rule`` Wagtail hook: ``fn(use, request)`` returns True or
  False for a use it knows (``use.model_path`` tells the field), or None;
- people who may change the document in the admin (editors) may always open it.

Wired in ``hub.wagtail_hooks``: ``before_serve_document`` refuses, and the page
editor warns when a restricted page uses a document from an open collection.
"""

from typing import NamedTuple

from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.contrib.contenttypes.models import ContentType
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers, patch_cache_control
from wagtail import hooks
from wagtail.documents import get_document_model
from wagtail.models import CollectionViewRestriction, Page, ReferenceIndex

from hub.privacy import _passes, _restrictions

USE_RULE_HOOK = "document_use_rule"


class Use(NamedTuple):
    page_id: int
    content_type_id: int  # the page's own type
    model_path: str  # the field holding the document, e.g. "members_documents.item.document"


class _Anonymous:
    """A request as an anonymous visitor with no session makes it."""

    user = AnonymousUser()
    session = None


ANONYMOUS = _Anonymous()


def _uses(document_ids):
    """{document id: [Use, ...]} of the pages using them, and the ids of those
    also used outside pages."""
    page_type = ContentType.objects.get_for_model(Page).pk
    rows = ReferenceIndex.objects.filter(
        to_content_type=ContentType.objects.get_for_model(get_document_model()),
        to_object_id__in=[str(pk) for pk in document_ids],
    ).values_list("to_object_id", "base_content_type_id", "content_type_id", "object_id", "model_path")
    uses, elsewhere = {}, set()
    for document_id, base_type, content_type, object_id, model_path in rows:
        if base_type == page_type and object_id.isdigit():
            uses.setdefault(int(document_id), []).append(Use(int(object_id), content_type, model_path))
        else:
            elsewhere.add(int(document_id))
    return uses, elsewhere


def _visible_page_ids(page_ids, request):
    """The pages of ``page_ids`` that are live and whose view restrictions the
    person making ``request`` passes (a password entered in this session too)."""
    restrictions = _restrictions()
    visible = set()
    for pk, path in Page.objects.filter(pk__in=page_ids, live=True).values_list("pk", "path"):
        if all(_passes(r, request) for r in restrictions if path.startswith(r[1])):
            visible.add(pk)
    return visible


def _use_allowed(use, request):
    for rule in hooks.get_hooks(USE_RULE_HOOK):
        verdict = rule(use, request)
        if verdict is not None:
            return verdict
    return True


def _allowed_ids(document_ids, request):
    """The documents of ``document_ids`` their uses let this person open."""
    uses, elsewhere = _uses(document_ids)
    visible = _visible_page_ids({use.page_id for found in uses.values() for use in found}, request)
    allowed = set()
    for document_id in document_ids:
        found = uses.get(document_id)
        if not found or document_id in elsewhere:
            allowed.add(document_id)
        elif any(use.page_id in visible and _use_allowed(use, request) for use in found):
            allowed.add(document_id)
    return allowed


def may_download(document, request):
    """Whether the person making ``request`` may open ``document``, by its uses
    (its collection's restriction is Wagtail's own check)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        from wagtail.permissions import policy_registry

        policy = policy_registry.get_by_type(get_document_model())
        if policy.user_has_permission_for_instance(user, "change", document):
            return True
    return document.pk in _allowed_ids([document.pk], request)


def _in_open_collection(documents):
    restricted = tuple(CollectionViewRestriction.objects.values_list("collection__path", flat=True))
    return [document for document in documents if not document.collection.path.startswith(restricted)]


def public_documents(queryset):
    """The documents of ``queryset`` an anonymous visitor may fetch: in an open
    collection, and not kept private by their uses (for the API)."""
    documents = list(_in_open_collection(queryset.select_related("collection")))
    allowed = _allowed_ids([document.pk for document in documents], ANONYMOUS)
    return queryset.filter(pk__in=allowed)


def refuse_hidden_documents(document, request):
    """``before_serve_document``: the sign-in page for an anonymous visitor, a
    403 that says why for someone signed in. A document let through only
    because of who is asking is marked, so its response is never stored by a
    shared cache (``PrivateDocumentMiddleware``)."""
    if may_download(document, ANONYMOUS):
        return None
    if may_download(document, request):
        request.hub_private_document = True
        return None
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    response = render(
        request, "hub/document_not_allowed.html", {"document": document, "thing": "document"}, status=403
    )
    add_never_cache_headers(response)
    patch_cache_control(response, private=True)
    return response


class PrivateDocumentMiddleware:
    """``Cache-Control: private, no-store`` on a document served only because of
    who asked (see ``refuse_hidden_documents``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "hub_private_document", False):
            patch_cache_control(response, private=True, no_store=True)
        return response


def open_collection_documents_on(page):
    """Documents in an open collection that ``page`` (its content as given,
    a draft included) uses, when the page itself is restricted: an editor is
    told that the document is public wherever it is linked outside the hub's
    pages, until it moves to a restricted collection."""
    if not page.pk or not page.get_view_restrictions().exists():
        return []
    document_type = ContentType.objects.get_for_model(get_document_model())
    references = ReferenceIndex._extract_references_from_object(page)
    ids = {
        int(object_id)
        for content_type_id, object_id, _model_path, _content_path in references
        if content_type_id == document_type.pk and str(object_id).isdigit()
    }
    if not ids:
        return []
    documents = get_document_model().objects.filter(pk__in=ids).select_related("collection").order_by("title")
    return _in_open_collection(documents)
