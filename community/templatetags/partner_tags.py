from django import template
from django.urls import reverse

from hub.privacy import visible_pages

register = template.Library()


@register.inclusion_tag("community/includes/resource_partner_communities.html", takes_context=True)
def resource_partner_communities(context, resource):
    """The partner communities a resource is shared with, those the reader may see."""
    from community.models import PartnerCommunityPage

    request = context.get("request")
    partners = visible_pages(PartnerCommunityPage.objects.filter(shared_resources=resource), request)
    return {"partners": list(partners.order_by("title")), "request": request}


@register.simple_tag(takes_context=True)
def stable_link_url(context, page):
    """The full /r/<id>/ address of a resource, on its site's address (not the
    request's: the resource's fragment is cached for every host name)."""
    path = reverse("stable-link", args=[page.pk])
    site = page.get_site()
    if site is not None:
        return f"{site.root_url}{path}"
    request = context.get("request")
    return request.build_absolute_uri(path) if request is not None else path
