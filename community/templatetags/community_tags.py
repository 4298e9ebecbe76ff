from django import template

from hub.privacy import first_visible, visible_pages

from ..models import WorkingGroupIndexPage, WorkingGroupPage

register = template.Library()


@register.inclusion_tag("community/includes/home_working_groups.html", takes_context=True)
def home_working_groups(context, limit=4):
    """The working groups section of the home page: the groups the reader may see."""
    request = context.get("request")
    index = first_visible(WorkingGroupIndexPage, request)
    groups = []
    if index is not None:
        groups = list(
            visible_pages(WorkingGroupPage.objects.child_of(index), request).order_by("path")[:limit]
        )
    return {"request": request, "index": index, "working_groups": groups}
