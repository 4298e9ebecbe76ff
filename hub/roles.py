"""Which part of the page tree each role works on in the admin.

Wagtail's page permissions are tree-based: a permission on a page holds for
everything below it. The hub gives each role the smallest subtree it needs
(README, "Roles"):

- Editors: add and edit everywhere (from the root); publishing is by review.
- Contributors: "add" on each resource library and events index. Wagtail lets a
  person with "add" edit the pages they own, so a contributor edits the
  resources and events it drafted and nothing else there. Its own partner page
  comes from a per-partner group an administrator creates, with "Edit" on that
  one page. Nothing at the root.
- Everyone else: no page permissions.

The sections that take contributions say so themselves: their app connects
``let_contributors_add_here`` for their index page model, so a library or
events index created later is open to contributors without anyone remembering.

``HubPagePermissionPolicy`` also keeps the admin's page lists (explorer, page
search, the sidebar's explorer menu, the page chooser) to what a person may read: a page below a
section someone may only add to is listed to them only if it is theirs, or is
live and its page privacy lets them read it on the site.
"""

from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.db.models import Q
from wagtail.models import GroupPagePermission
from wagtail.permission_policies.pages import PagePermissionPolicy

from hub.privacy import paths_closed_to

ADMIN_ACCESS_SECONDS = 300


def uses_admin(request):
    """Whether the person making ``request`` may use the admin (and so sees
    Wagtail's editing bar). Remembered for a few minutes in the cache, so
    members who never edit do not load their permissions on every page, and
    on the request, so a shared render (hub/personal.py) need not ask again."""
    if not hasattr(request, "_hub_uses_admin"):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            request._hub_uses_admin = False
        else:
            key = f"hub:admin-access:{user.pk}"
            can_edit = cache.get(key)
            if can_edit is None:
                can_edit = user.has_perm("wagtailadmin.access_admin")
                cache.set(key, can_edit, ADMIN_ACCESS_SECONDS)
            request._hub_uses_admin = can_edit
    return request._hub_uses_admin


CONTRIBUTORS = "Contributors"
# Codenames that let a person see a whole subtree in the admin.
WHOLE_SUBTREE = {"change_page", "publish_page", "lock_page", "unlock_page", "bulk_delete_page"}


def let_contributors_add_here(sender, instance, created, raw=False, **kwargs):
    """post_save receiver for the index pages contributors add to: Contributors
    get "add" on a new one."""
    if not created or raw:
        return
    group = Group.objects.filter(name=CONTRIBUTORS).first()
    if group is None:
        return
    permission = Permission.objects.get(content_type__app_label="wagtailcore", codename="add_page")
    GroupPagePermission.objects.get_or_create(group=group, page=instance, permission=permission)


def page_editors_group(page, name):
    """The group whose members edit ``page`` (and only it and its subpages): how an
    administrator gives a partner organisation its own partner page. Same as
    Settings > Groups > Add a group, with "Edit" on that page."""
    group, _ = Group.objects.get_or_create(name=name)
    GroupPagePermission.objects.get_or_create(
        group=group,
        page=page,
        permission=Permission.objects.get(content_type__app_label="wagtailcore", codename="change_page"),
    )
    return group


def _under_any(paths):
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(path__startswith=path)
    return condition


class HubPagePermissionPolicy(PagePermissionPolicy):
    """Wagtail's page policy, with admin listings kept to pages a person may read
    or work on (registered for every page model in ``hub.apps``)."""

    def explorable_instances(self, user):
        return self.readable_or_worked_on(super().explorable_instances(user), user)

    def readable_or_worked_on(self, pages, user):
        """``pages`` without those ``user`` may neither read on the site nor work
        on: drafts of others and restricted pages they are outside of, unless
        they own the page or may change the whole section it is in."""
        if not user.is_active:
            return pages.none()
        if user.is_superuser:
            return pages
        whole = [
            perm.page.path
            for perm in self.get_cached_permissions_for_user(user)
            if perm.permission.codename in WHOLE_SUBTREE
        ]
        hidden = Q(live=False) | _under_any(paths_closed_to(user))
        shown = Q(owner_id=user.pk) | _under_any(whole)
        return pages.exclude(hidden & ~shown)


def chooser_pages(pages, request):
    """construct_page_chooser_queryset hook: the page chooser (links, related
    resources, shared events) lists the same pages as the explorer does."""
    from wagtail.models import Page
    from wagtail.permissions import policy_registry

    return policy_registry.get_by_type(Page).readable_or_worked_on(pages, request.user)
