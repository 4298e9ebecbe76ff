"""What a member follows: topics, working groups and partner communities.

Followed topics are the member profile's ``topics`` (chosen when they joined,
changed on their profile or with the Follow button on any page that shows a
topic); groups and partners are ``followed_groups`` and ``followed_partners``.
My hub (community/views/my_hub.py) and the news digest read them.

The Follow button is a small form posting to ``/account/follow/``. To a
visitor it is a "Sign in to follow" link, the same for everyone, so pages that
show it stay in the anonymous page cache; a signed-in person's pages are
never cached (hub/cache.py), so their button shows their own state.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponseBadRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from hub.models import Topic
from hub.privacy import visible_pages

from .models import MemberProfile, PartnerCommunityPage, WorkingGroupPage


@dataclass(frozen=True)
class Followable:
    kind: str  # the form's value
    noun: str  # as people read it
    field: str  # MemberProfile's many-to-many field


TOPIC = Followable("topic", "topic", "topics")
GROUP = Followable("group", "working group", "followed_groups")
PARTNER = Followable("partner", "partner community", "followed_partners")
KINDS = {item.kind: item for item in (TOPIC, GROUP, PARTNER)}


def kind_of(obj):
    if isinstance(obj, Topic):
        return TOPIC
    if isinstance(obj, WorkingGroupPage):
        return GROUP
    if isinstance(obj, PartnerCommunityPage):
        return PARTNER
    raise TypeError(f"{type(obj).__name__} cannot be followed")


def profile_of(user, create=False):
    if create:
        return MemberProfile.objects.get_or_create(user=user)[0]
    return MemberProfile.objects.filter(user=user).first()


def followed_ids(user):
    """{kind: set of ids} the signed-in ``user`` follows (empty for anyone
    else), read once per request (remembered on the request's user) and kept
    in the cache until their follows change (hub.cache.person_changed)."""
    from django.core.cache import cache

    from hub.cache import person_version

    found = getattr(user, "_hub_followed", None)
    if found is not None:
        return found
    found = {kind: set() for kind in KINDS}
    if not getattr(user, "is_authenticated", False):
        return found
    key = f"hub:follows:{user.pk}:{person_version(user.pk)}"
    kept = cache.get(key)
    if kept is not None:
        user._hub_followed = kept
        return kept
    topics, groups = MemberProfile.topics.through, MemberProfile.followed_groups.through
    found["topic"] = set(topics.objects.filter(memberprofile__user=user).values_list("topic_id", flat=True))
    found["group"] = set(
        groups.objects.filter(memberprofile__user=user).values_list("workinggrouppage_id", flat=True)
    )
    partners = MemberProfile.followed_partners.through
    found["partner"] = set(
        partners.objects.filter(memberprofile__user=user).values_list("partnercommunitypage_id", flat=True)
    )
    user._hub_followed = found
    cache.set(key, found, 3600)
    return found


def _target(kind, raw_id, request):
    """The object a follow form names, if the person may see it."""
    item = KINDS.get(kind)
    try:
        pk = int(raw_id)
    except (TypeError, ValueError):
        return item, None
    if item is TOPIC:
        return item, Topic.objects.filter(pk=pk).first()
    if item is GROUP:
        return item, visible_pages(WorkingGroupPage.objects.live().filter(pk=pk), request).first()
    if item is PARTNER:
        return item, visible_pages(PartnerCommunityPage.objects.live().filter(pk=pk), request).first()
    return None, None


def _back(request):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse("my-hub")


@never_cache
@login_required
@require_POST
def follow(request):
    """Follow (``action=follow``) or stop following (``action=unfollow``) one thing."""
    item, obj = _target(request.POST.get("kind"), request.POST.get("id"), request)
    action = request.POST.get("action")
    if item is None or obj is None or action not in ("follow", "unfollow"):
        return HttpResponseBadRequest(
            "This follow button does not name something you can follow. Go back and try again."
        )
    with transaction.atomic():  # a new profile and what it follows, or neither
        related = getattr(profile_of(request.user, create=True), item.field)
        if action == "follow":
            related.add(obj)
        else:
            related.remove(obj)
    if hasattr(request.user, "_hub_followed"):
        del request.user._hub_followed  # read again for the answer
    name = getattr(obj, "name", None) or obj.title
    if action == "follow":
        messages.success(request, f"You follow the {item.noun} “{name}”. What is new in it shows on My hub.")
    else:
        messages.success(request, f"You no longer follow the {item.noun} “{name}”.")
    return HttpResponseRedirect(_back(request), status=303)


def _person_of(sender, instance, **kwargs):
    from hub.cache import person_changed

    person_changed(getattr(instance, "user_id", None))


def _application_changed(sender, instance, **kwargs):
    # An application shows on its person's pages, matched by account or address.
    from django.contrib.auth import get_user_model

    from hub.cache import person_changed

    person_changed(instance.user_id)
    if instance.email:
        for user_id in (
            get_user_model().objects.filter(email__iexact=instance.email).values_list("pk", flat=True)
        ):
            person_changed(user_id)


def _follows_changed(sender, instance, action, reverse, pk_set, **kwargs):
    from hub.cache import person_changed

    if not action.startswith("post_"):
        return
    if not reverse:
        person_changed(instance.user_id)
        return
    for user_id in MemberProfile.objects.filter(pk__in=pk_set or ()).values_list("user_id", flat=True):
        person_changed(user_id)


def connect_person_changes():
    """What My hub shows of a person moves their version on (hub.cache.person_changed)."""
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from .models import MembershipApplication, WorkingGroupMembership

    for model in (WorkingGroupMembership, MemberProfile):
        post_save.connect(_person_of, sender=model, dispatch_uid=f"person-changed-{model.__name__}-saved")
        post_delete.connect(_person_of, sender=model, dispatch_uid=f"person-changed-{model.__name__}-deleted")
    post_save.connect(
        _application_changed, sender=MembershipApplication, dispatch_uid="person-changed-application"
    )
    for item in KINDS.values():
        m2m_changed.connect(
            _follows_changed,
            sender=getattr(MemberProfile, item.field).through,
            dispatch_uid=f"person-changed-follows-{item.kind}",
        )
