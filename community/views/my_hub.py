"""My hub (``/account/``): a member's own page.

Their working groups with the next meeting and what changed last; the events
they registered for (upcoming first, with calendar links and the joining link
when it is due, the recording afterwards); the resources they suggested and
where each is in review; and what is new in the topics, groups and partner
communities they follow.

Everything listed is a live page the member may see (``allowed_audiences``):
a meeting of a group they have left, or a resource made members-only for
another group, drops out by itself.

The page is kept for the member alone (never in a browser's or proxy's
cache): under the page generation (any publish), their own version
(``hub.cache.person_changed``: groups, follows, registrations, suggestions,
applications), their audiences, and for at most ``MY_HUB_SECONDS``, or until
the next moment something on it changes by the clock (a joining link becomes
due, an event starts or ends). Follow buttons and the header are personal
parts (hub/personal.py), filled in on every view.
"""

import datetime
import hashlib
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from hub import personal
from hub.audience import allowed_audiences
from hub.cache import current_generation, person_version
from hub.models import Topic

from .. import follows
from ..joining import membership_state
from ..models import (
    PartnerCommunityPage,
    PartnerUpdate,
    WorkingGroupMeeting,
    WorkingGroupMembership,
    WorkingGroupPage,
)

# The joining link shows on My hub from this long before the start until the end.
JOINING_LINK_BEFORE = datetime.timedelta(minutes=30)
NEW_IN_FOLLOWED = 6
PAST_REGISTRATIONS = 10
# What a link to a page needs (its address and title), without its body.
LINK_FIELDS = ("title", "url_path", "path", "depth", "locale", "live", "first_published_at")


def _links(queryset, *extra):
    return queryset.only(*LINK_FIELDS, *extra)


def _without_streams(model, prefix=""):
    """The model's StreamFields (bodies, agendas): never needed for a list."""
    from wagtail.fields import StreamField

    return [f"{prefix}{field.name}" for field in model._meta.get_fields() if isinstance(field, StreamField)]


def _models():
    from events.models import EventPage, EventRegistration
    from knowledge.models import ResourcePage

    return EventPage, EventRegistration, ResourcePage


def _groups(user, allowed, now):
    EventPage, _registration, _resource = _models()
    memberships = list(
        WorkingGroupMembership.objects.filter(user=user)
        .select_related("working_group")
        .order_by("working_group__title")
    )
    group_ids = [m.working_group_id for m in memberships]
    group_of = {}
    for meeting_id, group_id in WorkingGroupMeeting.objects.filter(page_id__in=group_ids).values_list(
        "meeting_id", "page_id"
    ):
        group_of.setdefault(meeting_id, []).append(group_id)
    meetings = {}
    events = EventPage.objects.live().filter(audience__in=allowed, end__gt=now, pk__in=list(group_of))
    events = events.defer(*_without_streams(EventPage))
    for event in events.order_by("start"):
        for group_id in group_of[event.pk]:
            meetings.setdefault(group_id, event)
    rows = []
    for membership in memberships:
        group = membership.working_group
        rows.append(
            {
                "membership": membership,
                "group": group,
                "visible": group.live and group.audience in allowed,
                "next_meeting": meetings.get(group.pk)
                if membership.status == WorkingGroupMembership.APPROVED
                else None,
                "updated": group.last_published_at,
            }
        )
    return rows


def _back_here(url):
    """A registration page's address that returns the member to My hub."""
    return f"{url}?{urlencode({'next': reverse('my-hub')})}" if url else ""


def _registrations(user, allowed, now):
    EventPage, EventRegistration, _resource = _models()
    from events.calendar import add_to_calendar_links
    from events.registration import cancel_url, reminders_url

    registrations = (
        EventRegistration.objects.filter(user=user, event__live=True, event__audience__in=allowed)
        .exclude(status=EventRegistration.CANCELLED)
        .select_related("event")
        .defer(*(name for name in _without_streams(EventPage, "event__") if name != "event__recording"))
    )
    upcoming, past = [], []
    for registration in registrations:
        event = registration.event
        confirmed = registration.status == EventRegistration.CONFIRMED
        row = {
            "registration": registration,
            "event": event,
            "confirmed": confirmed,
            # Until the event starts: the place can be given up, reminders changed.
            "cancel_url": _back_here(cancel_url(registration)) if event.start > now else "",
            "manage_url": _back_here(reminders_url(registration)) if event.start > now else "",
        }
        if event.end > now:
            row["calendar_links"] = add_to_calendar_links(event)
            row["joining_link"] = (
                event.joining_link
                if confirmed and event.joining_link and event.start - JOINING_LINK_BEFORE <= now
                else ""
            )
            upcoming.append(row)
        else:
            row["has_recording"] = bool(event.recording)
            past.append(row)
    upcoming.sort(key=lambda row: row["event"].start)
    past.sort(key=lambda row: row["event"].start, reverse=True)
    return upcoming, past[:PAST_REGISTRATIONS]


def suggestion_state(resource):
    """Where a suggested resource is, in the member's words."""
    if resource.live:
        return "Published"
    state = resource.current_workflow_state
    if state is not None and state.current_task_state is not None:
        return f"In review: {state.current_task_state.task.name.lower()}"
    last = resource.workflow_states.order_by("-created_at").first()
    if last is not None and last.status == last.STATUS_NEEDS_CHANGES:
        return "Sent back by the reviewers: the editors will be in touch"
    return "Waiting for the editors"


def _suggestions(user):
    _event, _registration, ResourcePage = _models()
    resources = _links(ResourcePage.objects.filter(suggested_by=user)).order_by("-pk")[:20]
    return [{"resource": resource, "state": suggestion_state(resource)} for resource in resources]


# What is new in a set of topics is the same for everyone following them with
# the same audiences: remembered until the next publish, and a few minutes at
# most (an event leaves "upcoming" when it ends).
NEW_IN_TOPICS_SECONDS = 300


def _new_in_topics(topic_ids, allowed, now, request):
    """(resources, events) as link rows: the newest live resources and the
    next events in ``topic_ids`` that the ``allowed`` audiences may see."""
    if not topic_ids:
        return [], []
    topics, audiences = ",".join(map(str, sorted(topic_ids))), ",".join(sorted(allowed))
    # Hashed: a member's audiences can be a hundred restricted groups, longer than a cache key may be.
    identity = hashlib.sha256(f"{request.get_host()}|{topics}|{audiences}".encode()).hexdigest()[:32]
    key = f"hub:my-hub:topics:{current_generation()}:{identity}"
    found = cache.get(key)
    if found is not None:
        return found
    EventPage, _registration, ResourcePage = _models()
    resources = (
        _links(ResourcePage.objects.live())
        .filter(audience__in=allowed, topics__in=topic_ids)
        .distinct()
        .order_by("-first_published_at")[:NEW_IN_FOLLOWED]
    )
    events = (
        EventPage.objects.live()
        .filter(audience__in=allowed, topics__in=topic_ids, end__gt=now, cancelled=False)
        .defer(*_without_streams(EventPage))
        .distinct()
        .order_by("start")[:NEW_IN_FOLLOWED]
    )
    found = (
        [
            {"title": page.title, "url": page.get_url(request), "published": page.first_published_at}
            for page in resources
        ],
        [{"title": page.title, "url": page.get_url(request), "when": page.when_label} for page in events],
    )
    cache.set(key, found, NEW_IN_TOPICS_SECONDS)
    return found


def _following(user, allowed, now, request):
    ids = follows.followed_ids(user)
    topics = list(Topic.objects.filter(pk__in=ids["topic"]).order_by("name"))
    resources, events = _new_in_topics([topic.pk for topic in topics], allowed, now, request)
    groups = list(
        _links(WorkingGroupPage.objects.live())
        .filter(pk__in=ids["group"], audience__in=allowed)
        .order_by("title")
    )
    partners = list(
        _links(PartnerCommunityPage.objects.live())
        .filter(pk__in=ids["partner"], audience__in=allowed)
        .order_by("title")
    )
    updates = list(
        PartnerUpdate.objects.filter(partner__in=partners)
        .select_related("partner")
        .order_by("-published")[:NEW_IN_FOLLOWED]
    )
    return {
        "topics": topics,
        "resources": resources,
        "events": events,
        "groups": groups,
        "partners": partners,
        "partner_updates": updates,
    }


MY_HUB_SECONDS = 300


def _next_change(now, groups, upcoming):
    """Seconds until something on the page changes by the clock alone."""
    moments = [row["next_meeting"].end for row in groups if row["next_meeting"] is not None]
    for row in upcoming:
        event = row["event"]
        moments += [event.start - JOINING_LINK_BEFORE, event.start, event.end]
    ahead = [(moment - now).total_seconds() for moment in moments if moment > now]
    return max(1, min([MY_HUB_SECONDS, *ahead]))


def _kept_key(request, allowed):
    audiences = hashlib.sha256(",".join(sorted(allowed)).encode()).hexdigest()[:16]
    user_id = request.user.pk
    return (
        f"hub:my-hub:{current_generation()}:{user_id}:{person_version(user_id)}:"
        f"{hashlib.sha1(request.get_host().encode()).hexdigest()[:12]}:{audiences}"
    )


@never_cache
@login_required
@require_http_methods(["GET", "HEAD"])
def my_hub(request):
    user = request.user
    allowed = allowed_audiences(request)
    key = _kept_key(request, allowed)
    content = cache.get(key)
    if content is None:
        now = timezone.now()
        upcoming, past = _registrations(user, allowed, now)
        groups = _groups(user, allowed, now)
        request.hub_shared_render = True  # personal parts as markers, filled below
        try:
            response = render(
                request,
                "community/account/my_hub.html",
                {
                    "membership": membership_state(request),
                    "groups": groups,
                    "upcoming": upcoming,
                    "past": past,
                    "suggestions": _suggestions(user),
                    "following": _following(user, allowed, now, request),
                },
            )
        finally:
            request.hub_shared_render = False
        content = response.content
        cache.set(key, content, _next_change(now, groups, upcoming))
    return HttpResponse(personal.fill(request, content))
