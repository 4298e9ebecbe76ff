"""The hub's identity for browsers: the icon at /favicon.ico and the web app
manifest (name and colours for a phone's home screen).

The manifest's names come from the site settings editors fill in, so a CoP that
renames its hub does not need a new release."""

import json

from django.http import HttpResponse, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from hub.context_processors import site_facts

# The header's navy and the page's white (static/css/hub.css).
THEME_COLOUR = "#13283d"
BACKGROUND_COLOUR = "#ffffff"


@require_safe
def favicon(request):
    # Browsers ask for /favicon.ico whatever the page links to; the file itself
    # is a static file with a hashed name and a long cache life.
    return HttpResponsePermanentRedirect(static("icons/favicon.ico"))


@require_safe
@cache_control(public=True, max_age=86400)
def manifest(request):
    from wagtail.models import Site

    site = Site.find_for_request(request)
    name = site_facts(site).community_name if site else "CoP Knowledge Hub"
    body = {
        "name": name,
        "short_name": name if len(name) <= 12 else "CoP Hub",
        "start_url": "/",
        "scope": "/",
        "display": "browser",
        "lang": "en",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "icons": [
            {"src": static("icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": static("icons/icon-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    return HttpResponse(json.dumps(body, indent=2), content_type="application/manifest+json")
