from django import template
from wagtail.models import Page, Site

from hub.privacy import visible_pages

register = template.Library()


@register.inclusion_tag("includes/main_navigation.html", takes_context=True)
def main_navigation(context):
    """Top-level pages marked 'show in menus' that the reader may open, in tree order."""
    request = context.get("request")
    site = Site.find_for_request(request) if request else None
    current = context.get("page")
    items = []
    if site is not None:
        items = list(
            visible_pages(Page.objects.child_of(site.root_page), request)
            .in_menu()
            .only("id", "title", "url_path", "path", "depth")
        )
    current_path = getattr(current, "path", "")
    return {
        "request": request,
        "home": site.root_page if site else None,
        "menu_items": [
            {
                "title": item.title,
                "url": item.get_url(request),
                "is_current": bool(current_path) and current_path.startswith(item.path),
            }
            for item in items
        ],
    }
