from django import template
from django.core.cache import cache
from wagtail.admin.templatetags.wagtailuserbar import wagtailuserbar
from wagtail.models import Page, Site

from hub.cache import current_generation
from hub.privacy import visibility_key, visible_pages

register = template.Library()


@register.inclusion_tag("includes/main_navigation.html", takes_context=True)
def main_navigation(context):
    """Top-level pages marked 'show in menus' that the reader may open, in tree order."""
    request = context.get("request")
    site = Site.find_for_request(request) if request else None
    current = context.get("page")
    items = []
    if site is not None:
        # The menu is the same for everyone who may see the same pages, so it is
        # kept until the next publish.
        key = f"hub:nav:{current_generation()}:{site.pk}:{visibility_key(request)}"
        items = cache.get(key)
        if items is None:
            items = [
                {"title": page.title, "url": page.get_url(request), "path": page.path}
                for page in visible_pages(Page.objects.child_of(site.root_page), request)
                .in_menu()
                .only("id", "title", "url_path", "path", "depth")
            ]
            cache.set(key, items, 3600)
    current_path = getattr(current, "path", "")
    return {
        "request": request,
        "home": site.root_page if site else None,
        "menu_items": [
            {
                "title": item["title"],
                "url": item["url"],
                "is_current": bool(current_path) and current_path.startswith(item["path"]),
            }
            for item in items
        ],
    }


@register.simple_tag(takes_context=True)
def editor_userbar(context):
    """Wagtail's editing bar, for people who can use the admin (hub.roles.uses_admin)."""
    from hub.roles import uses_admin

    request = context.get("request")
    if request is None or not uses_admin(request):
        return ""
    return wagtailuserbar(context)


@register.simple_tag(takes_context=True)
def personal(context, name, *args):
    """``{% personal "account_menu" %}``: a part of the page that belongs to the
    person reading it (hub/personal.py), so the rest can be shared."""
    from hub import personal as parts

    return parts.part(context.get("request"), name, *args)
