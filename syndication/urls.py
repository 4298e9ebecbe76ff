"""Feeds, API, embeds, stable links, OpenSearch and robots.txt (before Wagtail's catch-all)."""

from django.urls import path

from . import views
from .api import api_router
from .feeds import ResourcesAtomFeed, ResourcesFeed, UpcomingEventsFeed
from .views import cacheable

urlpatterns = [
    path("api/v2/", api_router.urls),
    path("feeds/resources/", cacheable(ResourcesFeed()), name="feed-resources"),
    path("feeds/resources/atom/", cacheable(ResourcesAtomFeed()), name="feed-resources-atom"),
    path("feeds/events/", cacheable(UpcomingEventsFeed()), name="feed-events"),
    path("embed/resources/", views.embed_resources, name="embed-resources"),
    path("embed/events/", views.embed_events, name="embed-events"),
    path("r/<int:page_id>/", views.stable_link, name="stable-link"),
    path("opensearch.xml", views.opensearch, name="opensearch"),
    path("robots.txt", views.robots_txt, name="robots-txt"),
]
