import uuid
from dataclasses import dataclass

from django.core.cache import cache
from django.utils.functional import SimpleLazyObject
from wagtail.models import Site

from hub.cache import current_generation

FRAGMENT_SECONDS = 3600


@dataclass(frozen=True)
class SiteFacts:
    """What every page's header and footer show, resolved once per publish."""

    community_name: str
    tagline: str
    contact_email: str
    contact_address: str
    join_url: str
    join_text: str
    footer_links: tuple  # of (label, href)


def site_facts(site):
    from hub.models import HubSettings

    key = f"hub:site-facts:{current_generation()}:{site.pk}"
    facts = cache.get(key)
    if facts is None:
        settings = HubSettings.for_site(site)
        links = settings.footer_links.select_related("page").all()
        facts = SiteFacts(
            community_name=settings.community_name,
            tagline=settings.tagline,
            contact_email=settings.contact_email,
            contact_address=settings.contact_address,
            join_url=settings.join_url,
            join_text=settings.join_text,
            footer_links=tuple(
                (link.label, link.page.get_url() if link.page_id else link.url)
                for link in links
                if link.url or (link.page_id and link.page.live)
            ),
        )
        cache.set(key, facts, 3600)
    return facts


def hub_site(request):
    """``hub_site``: the header and footer facts of the request's site."""

    def load():
        site = Site.find_for_request(request) or Site.objects.filter(is_default_site=True).first()
        return site_facts(site) if site else None

    return {"hub_site": SimpleLazyObject(load)}


def fragment_cache_keys(request):
    """``cache_generation`` and ``cache_audience`` for ``{% cache %}`` fragments.

    A fragment keyed on both is rebuilt after every publish (the generation
    moves on) and is shared only by people who may see the same pages."""
    from hub.privacy import visibility_key

    if getattr(request, "is_preview", False):
        # A preview renders a draft: never read or fill the shared fragments.
        return {"cache_seconds": 0, "cache_generation": "preview", "cache_audience": uuid.uuid4().hex}
    return {
        "cache_seconds": FRAGMENT_SECONDS,
        "cache_generation": SimpleLazyObject(current_generation),
        "cache_audience": SimpleLazyObject(lambda: visibility_key(request)),
    }
