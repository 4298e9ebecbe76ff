"""RSS 2.0 and Atom feeds for partner sites: new and updated resources (overall
or per topic) and upcoming events. Only live pages open to everyone."""

import copy

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed

from hub.audience import PUBLIC
from hub.models import Topic

FEED_ITEMS = 50


class RequestFeed(Feed):
    """A feed that knows its request (for absolute stable links). The view
    object is shared by every thread, so each request works on its own copy."""

    def __call__(self, request, *args, **kwargs):
        feed = copy.copy(self)
        feed.request = request
        return Feed.__call__(feed, request, *args, **kwargs)

    def get_object(self, request, *args, **kwargs):
        return topic_from(request)


def public_resources():
    from knowledge.models import ResourcePage

    return ResourcePage.objects.live().public().filter(audience=PUBLIC)


def public_upcoming_events():
    from events.models import EventPage

    return (
        EventPage.objects.live()
        .public()
        .filter(audience=PUBLIC, end__gte=timezone.now(), cancelled=False)
        .order_by("start")
    )


def topic_from(request):
    """The topic of ``?topic=<slug>``, None without one; 404 for an unknown slug."""
    slug = request.GET.get("topic", "").strip()
    if not slug:
        return None
    topic = Topic.objects.filter(slug=slug).first()
    if topic is None:
        raise Http404("There is no topic with that name.")
    return topic


class ResourcesFeed(RequestFeed):
    """/feeds/resources/ (RSS 2.0), newest changes first; ``?topic=<slug>`` for one topic."""

    def title(self, topic):
        return f"Resources on {topic.name}" if topic else "New and updated resources"

    def link(self, topic):
        return f"/resources/?topic={topic.slug}" if topic else "/resources/"

    def description(self, topic):
        return "Evidence-based resources for community mental health, from the CoP Knowledge Hub."

    def feed_url(self, topic):
        url = self.request.path
        return f"{url}?topic={topic.slug}" if topic else url

    def items(self, topic):
        resources = public_resources()
        if topic is not None:
            resources = resources.filter(topics=topic)
        return (
            resources.select_related("evidence_level", "resource_type")
            .prefetch_related("topics")
            .order_by("-last_published_at", "-pk")[:FEED_ITEMS]
        )

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary

    def item_link(self, item):
        return item.url

    def item_guid(self, item):
        # The stable link: it survives slug changes and moves.
        return self.request.build_absolute_uri(reverse("stable-link", args=[item.pk]))

    def item_guid_is_permalink(self, item):
        return True

    def item_pubdate(self, item):
        return item.first_published_at

    def item_updateddate(self, item):
        return item.last_published_at

    def item_categories(self, item):
        categories = [topic.name for topic in item.topics.all()]
        if item.evidence_level_id:
            categories.append(f"Evidence: {item.evidence_level.name}")
        return categories


class ResourcesAtomFeed(ResourcesFeed):
    """/feeds/resources/atom/: the same items as Atom 1.0."""

    feed_type = Atom1Feed

    def subtitle(self, topic):
        return self.description(topic)


class UpcomingEventsFeed(RequestFeed):
    """/feeds/events/ (RSS 2.0): upcoming open events, soonest first. Calendar apps
    should use /events/feed.ics instead."""

    title = "Upcoming events"
    link = "/events/"
    description = "Webinars, trainings and meetings open to everyone, from the CoP Knowledge Hub."

    def items(self, topic):
        events = public_upcoming_events()
        if topic is not None:
            events = events.filter(topics=topic)
        return events.prefetch_related("topics")[:FEED_ITEMS]

    def item_title(self, item):
        return f"{item.title} ({item.date_label})"

    def item_description(self, item):
        return f"{item.when_label}. {item.summary}"

    def item_link(self, item):
        return item.url

    def item_pubdate(self, item):
        return item.first_published_at

    def item_updateddate(self, item):
        return item.last_published_at

    def item_categories(self, item):
        return [topic.name for topic in item.topics.all()]
