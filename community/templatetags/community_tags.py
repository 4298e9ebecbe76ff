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


@register.simple_tag(takes_context=True)
def follow_button(context, obj, label=""):
    """A Follow / Stop following button for a topic, working group or partner
    community (community/follows.py), the personal part "follow_button"
    (community/personal_parts.py). Visitors get a sign-in link instead."""
    from hub.personal import part

    from .. import follows

    item = follows.kind_of(obj)
    name = label or getattr(obj, "name", None) or obj.title
    return part(context.get("request"), "follow_button", item.kind, obj.pk, name)
