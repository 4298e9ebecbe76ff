"""Ways in for partner sites: the embeddable lists, stable links, the OpenSearch
description and robots.txt. Feeds are in feeds.py, the API in api.py."""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe

from hub.models import Topic
from hub.privacy import visible_pages

from .feeds import public_resources, public_upcoming_events

EMBED_DEFAULT_LIMIT = 5
EMBED_MAX_LIMIT = 20
STABLE_LINK_SECONDS = 3600


def cacheable(view):
    """Mark a view's answers as the same for everyone, so the anonymous page
    cache (hub/cache.py) may keep them until the next publish."""

    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response.hub_page_cacheable = True
        return response

    return wrapped


def _limit(request):
    """``?limit=`` between 1 and 20; anything else gives the default of 5."""
    try:
        limit = int(request.GET.get("limit", EMBED_DEFAULT_LIMIT))
    except ValueError:
        return EMBED_DEFAULT_LIMIT
    return min(max(limit, 1), EMBED_MAX_LIMIT)


def _embed(request, kind, pages, topic, notice=""):
    response = render(
        request,
        "syndication/embed.html",
        {"kind": kind, "items": pages, "topic": topic, "notice": notice},
        status=404 if notice else 200,
    )
    # Same for everyone: the anonymous page cache may keep it (hub/cache.py).
    response.hub_page_cacheable = True
    return response


def _embed_topic(request):
    slug = request.GET.get("topic", "").strip()
    if not slug:
        return None, ""
    topic = Topic.objects.filter(slug=slug).first()
    return topic, "" if topic else "There is no topic with that name on the hub."


@require_safe
@xframe_options_exempt
def embed_resources(request):
    """/embed/resources/?topic=<slug>&limit=5: the newest public resources, for an iframe."""
    topic, notice = _embed_topic(request)
    if notice:
        return _embed(request, "resources", [], None, notice)
    resources = public_resources()
    if topic is not None:
        resources = resources.filter(topics=topic)
    items = list(
        resources.select_related("resource_type", "evidence_level").order_by("-first_published_at", "-pk")[
            : _limit(request)
        ]
    )
    return _embed(request, "resources", items, topic)


@require_safe
@xframe_options_exempt
def embed_events(request):
    """/embed/events/?topic=<slug>&limit=5: the next public events, for an iframe."""
    topic, notice = _embed_topic(request)
    if notice:
        return _embed(request, "events", [], None, notice)
    events = public_upcoming_events()
    if topic is not None:
        events = events.filter(topics=topic)
    return _embed(request, "events", list(events[: _limit(request)]), topic)


@require_safe
def stable_link(request, page_id):
    """/r/<id>/: a permanent redirect to the resource's current address.

    Drafts and unknown ids are 404. A members-only resource sends someone who
    may not read it to sign in (as its page would) without revealing its address."""
    from knowledge.models import ResourcePage

    resource = ResourcePage.objects.live().filter(pk=page_id).first()
    if resource is None:
        raise Http404("No published resource has that id.")
    if not visible_pages(ResourcePage.objects.filter(pk=page_id), request).exists():
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        raise Http404("No published resource has that id.")
    response = HttpResponsePermanentRedirect(resource.get_url(request))
    # Browsers keep a 301 as long as they like unless told: let a later move reach them.
    patch_cache_control(response, max_age=STABLE_LINK_SECONDS)
    return response


@require_safe
def opensearch(request):
    base = f"{request.scheme}://{request.get_host()}"
    return render(
        request,
        "syndication/opensearch.xml",
        {"base": base, "search_url": base + reverse("search")},
        content_type="application/opensearchdescription+xml; charset=utf-8",
    )


@require_safe
def robots_txt(request):
    sitemap = request.build_absolute_uri(reverse("sitemap"))
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /django-admin/",
        "Disallow: /account/",
        "Disallow: /search/",
        "Disallow: /embed/",
        "Disallow: /r/",
        "",
        f"Sitemap: {sitemap}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
