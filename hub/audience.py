"""Who a page is for, stored on the page so search can filter on it.

Wagtail keeps page privacy in ``PageViewRestriction`` rows on a page and applies
them to its whole subtree. Filtering search results with ``.public()`` turns
every restriction into an exclusion clause, which search engines cannot take
past about a thousand restricted pages. Instead each page stores its
*audience*: ``"public"``, or the ids of the restrictions on it and its
ancestors (``"r4"``, ``"r4.r9"``). Search filters on ``audience IN (...)``, the
audiences the person passes (``allowed_audiences``), a short list however many
pages are restricted.

The value is kept in sync: computed when a page is saved, and rewritten for a
whole subtree when a restriction is added or removed or a page moves (signals
connected in ``hub.apps``). A restriction changing its groups keeps its id, so
nothing needs rewriting; ``allowed_audiences`` reads the groups afresh.
"""

from django.apps import apps
from wagtail.models import Page, PageViewRestriction

PUBLIC = "public"


def _key(restriction_ids):
    return ".".join(f"r{pk}" for pk in sorted(restriction_ids)) or PUBLIC


def audience_for_path(path):
    """The audience of a page at ``path`` (or of a new child of that page: a
    page has no restriction of its own until it exists)."""
    ancestor_paths = [path[:i] for i in range(Page.steplen, len(path) + 1, Page.steplen)]
    ids = PageViewRestriction.objects.filter(page__path__in=ancestor_paths).values_list("pk", flat=True)
    return _key(ids)


def audience_models():
    """Every concrete page model that stores an audience."""
    from hub.models import BasePage

    return [
        model
        for model in apps.get_models()
        if issubclass(model, BasePage) and not model._meta.abstract and not model._meta.proxy
    ]


def _restrictions_by_path():
    return list(PageViewRestriction.objects.values_list("pk", "page__path"))


def sync_subtree(path):
    """Recompute the audience of the page at ``path`` and every page below it.

    One UPDATE per distinct audience per page model: a subtree holds as many
    audiences as it holds restricted sections, usually one or two. Returns
    {page model: ids of its pages whose audience changed}, so search can
    re-index them."""
    restrictions = _restrictions_by_path()
    # Restricted sections inside or above the subtree, deepest last.
    relevant = sorted(
        ((rpath, pk) for pk, rpath in restrictions if rpath.startswith(path) or path.startswith(rpath)),
        key=lambda item: len(item[0]),
    )
    changed = {}
    for model in audience_models():
        rows = model.objects.filter(path__startswith=path).values_list("pk", "path", "audience")
        wanted = {}
        for pk, page_path, current in rows:
            key = _key(rid for rpath, rid in relevant if page_path.startswith(rpath))
            if key != current:
                wanted.setdefault(key, []).append(pk)
        for key, pks in wanted.items():
            model.objects.filter(pk__in=pks).update(audience=key)
            changed.setdefault(model, []).extend(pks)
    return changed


def allowed_audiences(request):
    """The audience values the person making ``request`` may see: always
    ``public``, plus each combination of restrictions they pass."""
    from hub.privacy import remember, remembered

    # Asked by search, listings and the shared page cache: worked out once
    # per request, person and generation.
    found = remembered(request, "_hub_allowed_audiences")
    if found is not None:
        return list(found)
    allowed = _allowed_audiences(request)
    remember(request, "_hub_allowed_audiences", tuple(allowed))
    return allowed


def _allowed_audiences(request):
    from hub.privacy import _passes, _restrictions

    restrictions = _restrictions()
    user = getattr(request, "user", None)
    session = getattr(request, "session", None)
    if (user is None or not user.is_authenticated) and not session:
        return [PUBLIC]
    allowed = [PUBLIC]
    for restriction in restrictions:
        chain = [r for r in restrictions if restriction[1].startswith(r[1])]
        if all(_passes(r, request) for r in chain):
            allowed.append(_key(r[0] for r in chain))
    return sorted(set(allowed))


class _Reader:
    """A signed-in person reading outside a request (an e-mail): no session,
    so no page password they entered counts."""

    session = None

    def __init__(self, user):
        self.user = user


def audiences_by_user(users, among=None):
    """{user id: set of ``allowed_audiences``} for many signed-in people at once
    (the news digest's members): their groups read in one query
    (``hub.privacy.remember_group_ids``; ``among`` as there) and each answer
    worked out once for everyone in the same groups."""
    from hub.privacy import _user_group_ids, remember_group_ids

    remember_group_ids(users, among)
    answers, found = {}, {}
    for user in users:
        key = (user.is_superuser, _user_group_ids(user))
        if key not in answers:
            answers[key] = frozenset(allowed_audiences(_Reader(user)))
        found[user.pk] = answers[key]
    return found


REINDEX_BATCH = 500


def reindex(changed):
    """Send pages whose audience changed ({model: ids}) to every search
    backend, so its filter field follows: in bulk writes of ``REINDEX_BATCH``
    (restricting a section of 10,000 resources is 20 writes, not 10,000).
    search.indexing queues a batch the search engine could not take."""
    from wagtail.search.backends import get_search_backends

    backends = list(get_search_backends(with_auto_update=True))
    for model, pks in changed.items():
        for start in range(0, len(pks), REINDEX_BATCH):
            pages = list(model.get_indexed_objects().filter(pk__in=pks[start : start + REINDEX_BATCH]))
            for backend in backends:
                backend.add_bulk(model, pages)


def _on_restriction_change(sender, instance, **kwargs):
    if kwargs.get("created") is False:
        return  # an edited restriction keeps its id; its groups are read at query time
    try:
        path = Page.objects.values_list("path", flat=True).get(pk=instance.page_id)
    except Page.DoesNotExist:
        return  # the page itself is being deleted
    _sync(path)


def _on_page_moved(sender, instance, **kwargs):
    path = Page.objects.values_list("path", flat=True).get(pk=instance.pk)
    _sync(path)


def _sync(path):
    reindex(sync_subtree(path))
    # The page cache purge for the same change may have run before the new
    # audiences were written (its handler can come first, and Wagtail saves
    # a restriction outside a transaction): whatever another process built
    # from the old audiences in between is dropped now.
    from hub.cache import purge_page_cache

    purge_page_cache()


def connect_signals():
    from django.db.models.signals import post_delete, post_save
    from wagtail.signals import post_page_move

    post_save.connect(
        _on_restriction_change, sender=PageViewRestriction, dispatch_uid="hub-audience-restriction"
    )
    post_delete.connect(
        _on_restriction_change,
        sender=PageViewRestriction,
        dispatch_uid="hub-audience-restriction-deleted",
    )
    post_page_move.connect(_on_page_moved, dispatch_uid="hub-audience-moved")


def backfill(app_label, *model_names):
    """A RunPython operation for migrations that add ``audience`` to page
    models: sets it for pages that already sit under a restriction."""

    def forwards(apps, schema_editor):
        restrictions = list(
            apps.get_model("wagtailcore", "PageViewRestriction").objects.values_list("pk", "page__path")
        )
        for name in model_names:
            model = apps.get_model(app_label, name)
            for pk, path in model.objects.exclude(path="").values_list("pk", "path"):
                key = _key(rid for rid, rpath in restrictions if path.startswith(rpath))
                if key != PUBLIC:
                    model.objects.filter(pk=pk).update(audience=key)

    from django.db import migrations

    return migrations.RunPython(forwards, migrations.RunPython.noop)
