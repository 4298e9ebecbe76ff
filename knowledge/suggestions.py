"""Suggest a resource: any signed-in person proposes a resource for the library.

A suggestion becomes a draft resource in the library, marked as a member
suggestion (``suggested_by``), and enters the library's review workflow at once,
so it lands in the editors' queue. Nothing here publishes: a suggestion goes
live only when it passes editorial and evidence review.

A link that is already in the library is answered with the resource only when
it is live and the person may read it; a draft of theirs with that link is
named to them. Otherwise (a draft, someone else's suggestion, a members-only
page they cannot see) the suggestion is taken like any other and the editors
match it in review: the form never tells anyone about pages they may not see.
"""

from datetime import timedelta
from urllib.parse import urlsplit, urlunsplit

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.views import redirect_to_login
from django.db import models, transaction
from django.db.models.functions import Cast
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from wagtail.coreutils import find_available_slug
from wagtail.log_actions import log
from wagtail.models import Revision

from hub import outbound
from hub.models import EvidenceLevel, Topic
from hub.privacy import visible_pages

from .models import ResourceIndexPage, ResourcePage

SUGGESTIONS_PER_DAY = 5
SUGGESTION_WINDOW = timedelta(hours=24)
DONE_SESSION_KEY = "knowledge:suggested-title"


class SuggestionsClosed(Exception):
    """There is no library (or no review workflow) to take suggestions into."""


LINK_REFUSED = {
    "internal": (
        "This link leads to an internal network address, not a public web page. "
        "Enter the address people use to open the resource on the web."
    ),
    "credentials": "Leave the user name and password out of the link: enter the resource's public address.",
    "scheme": "Enter a web address that starts with https:// or http://.",
    "invalid": "Enter a full web address, for example https://www.samhsa.gov/resource.",
}


class SuggestResourceForm(forms.Form):
    title = forms.CharField(
        label="Title of the resource",
        max_length=255,
        help_text="As it appears on the resource, for example “Crisis Services: Best Practice Toolkit”.",
        error_messages={
            "required": "Enter the title of the resource.",
            "max_length": "Keep the title to %(limit_value)d characters or fewer (it has %(show_value)d).",
        },
    )
    link = forms.URLField(
        label="Link to the resource",
        max_length=500,
        assume_scheme="https",
        help_text="The web address where people can read or download it, for example https://www.samhsa.gov/….",
        error_messages={
            "required": "Enter the link to the resource.",
            "invalid": "Enter a full web address, for example https://www.samhsa.gov/resource.",
            "max_length": "Keep the link to %(limit_value)d characters or fewer (it has %(show_value)d).",
        },
        widget=forms.URLInput(attrs={"autocomplete": "url", "spellcheck": "false"}),
    )
    why = forms.CharField(
        label="Why it matters",
        max_length=2000,
        help_text=(
            "In a few sentences: what it is, who it helps and why other members should know about it. "
            "Our editors use this to write the summary."
        ),
        error_messages={
            "required": "Tell us why this resource matters.",
            "max_length": "Keep this to %(limit_value)d characters or fewer (it has %(show_value)d).",
        },
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    topics = forms.ModelMultipleChoiceField(
        label="Topics (optional)",
        queryset=Topic.objects.order_by("name"),
        required=False,
        help_text="Tick the topics it covers. If you are not sure, leave them; our editors will choose.",
        error_messages={
            "invalid_choice": "Choose topics from the list only.",
            "invalid_pk_value": "Choose topics from the list only.",
            "list": "Choose topics from the list only.",
        },
        widget=forms.CheckboxSelectMultiple(attrs={"class": "facet__checkbox"}),
    )

    def clean_link(self):
        link = self.cleaned_data["link"]
        if urlsplit(link).scheme.lower() not in ("http", "https"):
            raise forms.ValidationError("Enter a web address that starts with https:// or http://.")
        # Editors and the link checker open suggested links: none may point
        # inside the hub's own network (the same rule as every fetch).
        try:
            outbound.check_address(link)
        except outbound.Refused as refused:
            raise forms.ValidationError(LINK_REFUSED.get(refused.code, LINK_REFUSED["invalid"])) from refused
        return link


def normalise_url(url):
    """A web address in the form used to spot duplicates: lowercase scheme and host,
    no "www.", no trailing slash, no #fragment; the path and query are kept as typed."""
    parts = urlsplit((url or "").strip())
    host = (parts.hostname or "").removeprefix("www.")
    try:
        port = parts.port
    except ValueError:
        port = None
    if port:
        host = f"{host}:{port}"
    return urlunsplit((parts.scheme.lower(), host, parts.path.rstrip("/"), parts.query, ""))


def find_duplicates(url):
    """Resources, live or draft, whose source is the same address as ``url``."""
    target = normalise_url(url)
    host = urlsplit(target).hostname or target
    # The host narrows the candidates in the database; the exact comparison
    # needs the normalised form, so it is made here.
    candidates = ResourcePage.objects.filter(source_url__icontains=host).values_list("pk", "source_url")
    matching = [pk for pk, source_url in candidates if normalise_url(source_url) == target]
    return ResourcePage.objects.filter(pk__in=matching)


def suggestions_in_last_day(user):
    """How many resources ``user`` suggested in the last 24 hours.

    Counted from the person's own revisions of the resources they suggested,
    so an editor revising an older suggestion does not count against them."""
    revised_by_them = (
        Revision.page_revisions.filter(user=user, created_at__gte=timezone.now() - SUGGESTION_WINDOW)
        .annotate(page_id=Cast("object_id", models.IntegerField()))
        .values("page_id")
    )
    return ResourcePage.objects.filter(suggested_by=user, pk__in=revised_by_them).count()


def first_library():
    return ResourceIndexPage.objects.order_by("path").first()


def create_suggestion(library, user, data):
    """A draft resource from the form's data, submitted to the library's workflow.

    Returns None, creating nothing, when the person has reached the daily limit."""
    with transaction.atomic():
        # Locking the person's row makes two suggestions sent at once count one another.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        if suggestions_in_last_day(user) >= SUGGESTIONS_PER_DAY:
            return None

        base_slug = slugify(data["title"])[:240].strip("-") or "suggested-resource"
        page = ResourcePage(
            title=data["title"],
            slug=find_available_slug(library, base_slug),
            # A placeholder: the member's own words, until editors write the
            # plain-language summary during editorial review.
            summary=data["why"],
            suggestion_reason=data["why"],
            source_url=data["link"],
            # Not rated until evidence review rates it; the resource type is left
            # empty for the editors to choose.
            evidence_level=EvidenceLevel.objects.filter(slug="not-rated").first(),
            resource_type=None,
            suggested_by=user,
            owner=user,
            live=False,
            has_unpublished_changes=True,
        )
        page.topics = list(data["topics"])
        library.add_child(instance=page)
        # The type and evidence level are completed in review, so the draft is
        # not held to the rules a published resource must meet.
        revision = page.save_revision(user=user, clean=False)
        log(instance=page, action="wagtail.create", user=user, revision=revision, content_changed=True)

        workflow = page.get_workflow()
        if workflow is None:
            # Without a workflow the suggestion would reach nobody: keep nothing.
            raise SuggestionsClosed
        workflow.start(page, user)
    return page


def render_form(request, form, status=200, **context):
    return render(request, "knowledge/suggest_resource.html", {"form": form, **context}, status=status)


def render_closed(request):
    return render(request, "knowledge/suggest_resource.html", {"closed": True}, status=503)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def suggest_resource(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("wagtailcore_login"))
    library = first_library()
    if library is None:
        return render_closed(request)

    if request.method != "POST":
        return render_form(request, SuggestResourceForm())

    form = SuggestResourceForm(request.POST)
    if not form.is_valid():
        return render_form(request, form, status=400)

    duplicates = find_duplicates(form.cleaned_data["link"])
    in_library = visible_pages(duplicates, request).order_by("path").first()
    if in_library is not None:
        return render_form(request, form, in_library=in_library)
    if duplicates.filter(suggested_by=request.user).exists():
        return render_form(request, form, already_suggested=True)

    try:
        page = create_suggestion(library, request.user, form.cleaned_data)
    except SuggestionsClosed:
        return render_closed(request)
    if page is None:
        return render_form(request, form, status=429, limit=SUGGESTIONS_PER_DAY, rate_limited=True)

    request.session[DONE_SESSION_KEY] = page.title
    return HttpResponseRedirect(reverse("suggest-resource-done"), status=303)


@never_cache
@require_http_methods(["GET", "HEAD"])
def suggestion_received(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("wagtailcore_login"))
    library = first_library()
    return render(
        request,
        "knowledge/suggest_resource_done.html",
        {
            "suggested_title": request.session.get(DONE_SESSION_KEY, ""),
            "library_url": library.get_url(request) if library else "",
        },
    )
