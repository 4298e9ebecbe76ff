"""A signed-in member asks to join a working group; approved members download
the group's documents."""

from django.contrib.auth.views import redirect_to_login
from django.db import IntegrityError, transaction
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_cache_control
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from hub.privacy import visible_pages

from .. import mail
from ..forms import AskToJoinForm
from ..models import WorkingGroupDocument, WorkingGroupMembership, WorkingGroupPage


def _problem(request, message, group=None, status=400):
    return render(
        request, "community/ask_to_join_problem.html", {"message": message, "group": group}, status=status
    )


def _notify_chairs(membership):
    group = membership.working_group
    addresses = sorted(
        {chair.user.email for chair in group.chairs.select_related("user") if chair.user and chair.user.email}
    )
    return mail.send(
        "group_request_notice",
        {"membership": membership, "group": group, "admin_url": mail.full_url("/admin/community/")},
        addresses,
    )


@never_cache
@require_http_methods(["POST"])
def ask_to_join(request):
    form = AskToJoinForm(request.POST)
    if not request.user.is_authenticated:
        return redirect_to_login(request.META.get("HTTP_REFERER") or "/working-groups/")
    if not form.is_valid():
        return _problem(request, "We could not tell which working group you chose. Go back and try again.")
    visible = visible_pages(WorkingGroupPage.objects.all(), request)
    group = visible.filter(pk=form.cleaned_data["working_group"]).first()
    if group is None:
        return _problem(
            request, "That working group does not exist, or is no longer open. Choose one from the list."
        )
    if not group.accepts_requests:
        return _problem(request, "This working group is not taking new members at the moment.", group)
    try:
        with transaction.atomic():
            membership, created = WorkingGroupMembership.objects.get_or_create(
                working_group=group,
                user=request.user,
                defaults={"message": form.cleaned_data["message"]},
            )
    except IntegrityError:  # the same request sent twice at once
        membership, created = (
            WorkingGroupMembership.objects.get(working_group=group, user=request.user),
            False,
        )
    if created:
        error = _notify_chairs(membership)
        if error:
            membership.email_problem = f"The notice to the chairs could not be sent ({error})."
            membership.save(update_fields=["email_problem"])
    return HttpResponseRedirect(f"{group.get_url(request)}#membership", status=303)


def group_space_document_rule(use, request):
    """``document_use_rule`` hook (hub.document_privacy): a document in a
    working group's members-only space is for the group's approved members,
    by Wagtail's document address as by ``members_document``."""
    if not use.model_path.startswith("members_documents."):
        return None
    group = WorkingGroupPage.objects.filter(pk=use.page_id).first()
    if group is None:
        return None
    return group.is_member(getattr(request, "user", None))


@require_http_methods(["GET", "HEAD"])
def members_document(request, item_id):
    item = get_object_or_404(WorkingGroupDocument.objects.select_related("document", "page"), pk=item_id)
    group = item.page
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not group.live:
        raise Http404("No such document.")
    if not group.is_member(request.user):
        response = render(
            request,
            "community/members_only_forbidden.html",
            {"restricted_page": group, "group": group},
            status=403,
        )
        patch_cache_control(response, private=True, no_store=True)
        return response
    document = item.document
    try:
        handle = document.file.open("rb")
    except (FileNotFoundError, OSError) as error:
        raise Http404("The document's file is missing.") from error
    response = FileResponse(handle, as_attachment=True, filename=document.filename)
    patch_cache_control(response, private=True, no_store=True)
    return response
