"""Who may attend an event, and the Wagtail page privacy that follows from it.

An editor picks the access level on the event; saving the event (creating or
publishing it) sets the page's view restriction to match, so nobody has to
remember the privacy settings. Only what is stored on the page row - the live
version - is followed: a draft that opens a closed meeting changes nothing
until it is published.
"""

from django.contrib.auth.models import Group
from wagtail.models import PageViewRestriction

OPEN = "open"
MEMBERS = "members"
STAFF = "staff"
PARTNERS = "partners"

ACCESS_CHOICES = [
    (OPEN, "Open to everyone"),
    (MEMBERS, "Members only"),
    (STAFF, "Closed: CMHC staff only"),
    (PARTNERS, "Closed: partners only"),
]
ACCESS_LABELS = dict(ACCESS_CHOICES)

# Groups created by hub/migrations/0003_roles.
ACCESS_GROUPS = {
    OPEN: (),
    MEMBERS: ("Members", "CMHC staff", "Partners"),
    STAFF: ("CMHC staff",),
    PARTNERS: ("Partners",),
}

CLOSED = (STAFF, PARTNERS)


def sync_view_restriction(page):
    """Make the page's own view restriction say what its access level says.

    Writes only when something differs, because every restriction change
    purges the page cache."""
    names = ACCESS_GROUPS.get(page.access, ACCESS_GROUPS[MEMBERS])
    restrictions = list(PageViewRestriction.objects.filter(page=page).prefetch_related("groups"))
    if not names:
        for restriction in restrictions:
            restriction.delete()
        return
    wanted = set(Group.objects.filter(name__in=names).values_list("pk", flat=True))
    keep = restrictions[0] if restrictions else None
    for extra in restrictions[1:]:
        extra.delete()
    if keep is None:
        keep = PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.GROUPS)
        keep.groups.set(wanted)
        return
    if keep.restriction_type != PageViewRestriction.GROUPS or keep.password:
        keep.restriction_type = PageViewRestriction.GROUPS
        keep.password = ""
        keep.save()
    if {g.pk for g in keep.groups.all()} != wanted:
        keep.groups.set(wanted)


def registrant_may_see(registration):
    """May the person who registered see the event now: is it live, and are
    they within its privacy? E-mail about an event (reminders, changes, a place
    from the waiting list) goes only to people who may. A registration made
    while signed in is judged by that account's groups (a closed or disabled
    account sees nothing); one made without an account as an anonymous visitor."""
    from hub.privacy import is_restricted, paths_closed_to, restricted_paths

    event = registration.event
    user = registration.user
    if not event.live or (user is not None and not user.is_active):
        return False
    closed = paths_closed_to(user) if user is not None else restricted_paths()
    return not is_restricted(event, closed)
