"""Who may see which pages, for listings, search, feeds and the API.

Wagtail enforces page privacy when a page is served; listings must do the same
themselves. ``visible_pages`` keeps the pages a person may read: everything
public, plus restricted sections whose restriction they pass (signed in, in
one of the groups, or a shared password already entered in this session).
"""

from django.core.cache import cache
from django.db.models import Q
from wagtail.models import PageViewRestriction

from hub.cache import current_generation, request_memo


def _restrictions():
    """All view restrictions as plain tuples, cached until the page cache is purged
    (saving or deleting a restriction purges it)."""
    key = f"hub:restrictions:{current_generation()}"
    memo = request_memo()
    if memo is not None and key in memo:
        return memo[key]
    rows = cache.get(key)
    if rows is None:
        rows = [
            (r.pk, r.page.path, r.restriction_type, frozenset(g.pk for g in r.groups.all()))
            for r in PageViewRestriction.objects.select_related("page").prefetch_related("groups")
        ]
        cache.set(key, rows, 3600)
    if memo is not None:
        memo[key] = rows
    return rows


def _user_groups_key(user_pk):
    # The generation is part of the key, so deleting a group (which purges)
    # forgets everyone's remembered groups.
    return f"hub:user-groups:{current_generation()}:{user_pk}"


def _user_group_ids(user):
    """The person's group ids, remembered until their groups change."""
    if not hasattr(user, "_hub_group_ids"):
        key = _user_groups_key(user.pk)
        group_ids = cache.get(key)
        if group_ids is None:
            group_ids = frozenset(user.groups.values_list("pk", flat=True))
            cache.set(key, group_ids, 3600)
        user._hub_group_ids = group_ids
    return user._hub_group_ids


def remember_group_ids(users, among=None):
    """Read the groups of many people in one query and remember them on each,
    as ``_user_group_ids`` does one person at a time (for work done for
    thousands of people at once: the news digest). ``among``, a queryset of
    the same people's ids, reads them through a subquery instead of one
    parameter per person."""
    from django.contrib.auth import get_user_model

    memberships = get_user_model().groups.through.objects
    ids = among if among is not None else [user.pk for user in users]
    found = {}
    for user_id, group_id in memberships.filter(user_id__in=ids).values_list("user_id", "group_id"):
        found.setdefault(user_id, set()).add(group_id)
    for user in users:
        user._hub_group_ids = frozenset(found.get(user.pk, ()))


def forget_user_groups(sender, instance, action, reverse, pk_set, **kwargs):
    """m2m_changed receiver for User.groups: drop the remembered group ids of
    everyone whose groups changed."""
    if reverse:
        # Changed from the group's side: group.user_set.add/remove/clear(...).
        if action == "pre_clear":
            user_pks = list(instance.user_set.values_list("pk", flat=True))
        elif action in ("post_add", "post_remove"):
            user_pks = list(pk_set or [])
        else:
            return
    elif action in ("post_add", "post_remove", "post_clear"):
        user_pks = [instance.pk]
    else:
        return
    cache.delete_many([_user_groups_key(pk) for pk in user_pks])
    from hub.cache import person_changed

    for pk in user_pks:
        person_changed(pk)


def _passes(restriction, request):
    pk, _path, kind, group_ids = restriction
    user = getattr(request, "user", None)
    if kind == PageViewRestriction.LOGIN:
        return bool(user and user.is_authenticated)
    if kind == PageViewRestriction.GROUPS:
        if not (user and user.is_authenticated):
            return False
        return user.is_superuser or bool(group_ids & _user_group_ids(user))
    if kind == PageViewRestriction.PASSWORD:
        session = getattr(request, "session", None)
        return bool(session) and pk in session.get(
            PageViewRestriction.passed_view_restrictions_session_key, []
        )
    return True


def _under_any(paths):
    condition = Q()
    for path in paths:
        condition |= Q(path__startswith=path)
    return condition


def _blocked_restrictions(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return list(_restrictions())
    # Asked by every listing on a page: worked out once per request and
    # generation (so a restriction changed mid-request is still seen).
    found = remembered(request, "_hub_blocked")
    if found is not None:
        return list(found)
    blocked = [r for r in _restrictions() if not _passes(r, request)]
    remember(request, "_hub_blocked", tuple(blocked))
    return blocked


def _asker(request):
    # The person behind a lazy or a watched wrapper (hub/personal.py), found
    # without reading any of their data.
    user = getattr(request, "user", None)
    return getattr(user, "_wrapped", user)


def remembered(request, name):
    """A per-request answer about who may see what, if it was worked out in
    this generation for the same person (the request's user can change, at
    sign-in or in tests)."""
    memo = getattr(request, name, None)
    if memo and memo[0] == current_generation() and memo[1] is _asker(request):
        return memo[2]
    return None


def remember(request, name, value):
    setattr(request, name, (current_generation(), _asker(request), value))


def visibility_key(request):
    """A short key shared by everyone who may see the same pages, for caching
    listings: 'public' for anonymous visitors, else the restrictions they fail."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return "public"
    blocked = sorted(r[0] for r in _blocked_restrictions(request))
    return "r" + "-".join(map(str, blocked)) if blocked else "all"


def visible_pages(queryset, request):
    """Live pages of ``queryset`` that the person making ``request`` may read.

    Pages that store their audience (``BasePage``, hub/audience.py) are kept by
    it, one indexed ``IN`` of a few values; other pages (Wagtail's ``Page``)
    by excluding every section the person is shut out of, a condition per
    restricted section, which grows with them."""
    from hub.models import BasePage

    queryset = queryset.live()
    blocked = _blocked_restrictions(request)
    if not blocked:
        return queryset
    if issubclass(queryset.model, BasePage):
        return queryset.filter(audience__in=visible_audiences(request))
    return queryset.exclude(_under_any([r[1] for r in blocked]))


def visible_audiences(request):
    """The audience values of the pages ``visible_pages`` keeps: those the
    person passes (``hub.audience.allowed_audiences``) that name no
    restriction they are shut out of here (a visitor who entered a page's
    password reads it, but listings leave it out, as they always have)."""
    from hub.audience import PUBLIC, allowed_audiences

    blocked = {f"r{r[0]}" for r in _blocked_restrictions(request)}
    return [key for key in allowed_audiences(request) if key == PUBLIC or not blocked & set(key.split("."))]


def restricted_paths():
    """Paths of every restricted section, to mark members-only items in listings."""
    return tuple(path for _pk, path, _kind, _groups in _restrictions())


def paths_closed_to(user):
    """Paths of the restricted sections a signed-in person cannot read by who they
    are (for the admin, where there is no site session): group restrictions they
    are outside of, and every password-protected section."""
    closed = []
    for _pk, path, kind, group_ids in _restrictions():
        if kind == PageViewRestriction.PASSWORD:
            closed.append(path)
        elif kind == PageViewRestriction.GROUPS and not (
            user.is_superuser or group_ids & _user_group_ids(user)
        ):
            closed.append(path)
    return closed


def is_restricted(page, paths=None):
    paths = restricted_paths() if paths is None else paths
    return any(page.path.startswith(path) for path in paths)


def first_visible(model, request):
    """The first page of ``model`` in tree order that the person may read
    (e.g. the events or working-groups index for a home page section).
    Its id is cached per audience until the next publish: finding it means
    scanning the page tree, which costs tens of milliseconds on a large site."""
    key = f"hub:first-visible:{current_generation()}:{model._meta.label}:{visibility_key(request)}"
    pk = cache.get(key)
    if pk is None:
        pk = visible_pages(model.objects.all(), request).order_by("path").values_list("pk", flat=True).first()
        cache.set(key, pk or 0, 3600)
    return model.objects.filter(pk=pk).first() if pk else None
