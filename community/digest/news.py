"""What became news since a moment, read once per run for every member.

``News.load(oldest, now)`` reads everything that may be news to at least one
due member (``oldest`` is the earliest of their windows), in a fixed number
of queries: resources published or reviewed again, upcoming events published,
partner updates first seen, working groups' members-only documents added,
and which topic, working group and partner each belongs to. Each member's
share of it is picked in Python (community/digest/build.py).

Only live pages are read. Who may see an item is not decided here: each item
carries the audiences (hub/audience.py) a reader must have, its own page's
and the page it is shown through (a working group, a partner), and the group
whose members-only part it belongs to, if any.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from types import SimpleNamespace

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Site

from events.models import EventPage
from hub.models import Topic
from knowledge.models import ResourcePage

from ..models import (
    PartnerCommunityPage,
    PartnerUpdate,
    WorkingGroupDocument,
    WorkingGroupMeeting,
    WorkingGroupOutput,
    WorkingGroupPage,
)

RESOURCES, EVENTS, GROUP_DOCUMENTS, PARTNER_UPDATES = "resources", "events", "documents", "updates"
NEW, REVIEWED = "new", "reviewed"
# A partner's feed is read a while after an item appears in it, and a feed read
# for the first time brings its whole history: an item counts as news if the
# hub first saw it in the window and the partner dated it at most this long before.
PARTNER_DATE_GRACE = timedelta(days=7)


@dataclass
class Item:
    """One thing a digest can mention, the same for every member."""

    key: str  # what DigestItemSent records
    section: str
    title: str
    url: str
    audiences: tuple  # the reader must have every one of these (hub.audience)
    published_at: object = None  # when it became news (datetime)
    reviewed_on: object = None  # resources: the day of the latest review
    summary: str = ""
    detail: str = ""  # when an event is, which partner an update is from
    members_only: bool = False
    group_id: int | None = None  # only for members of this working group
    sort_key: tuple = ()

    def state_since(self, since, since_day):
        """NEW or REVIEWED if the item is news after ``since``, else None."""
        if self.published_at is not None and self.published_at > since:
            return NEW
        if self.reviewed_on is not None and self.reviewed_on >= since_day:
            return REVIEWED
        return None


@dataclass
class News:
    now: object
    topics: dict = field(default_factory=dict)  # id -> Topic
    by_topic: dict = field(default_factory=dict)  # topic id -> [Item] (resources and events)
    by_group: dict = field(default_factory=dict)  # working group id -> [Item]
    by_partner: dict = field(default_factory=dict)  # partner page id -> [Item]
    groups: dict = field(default_factory=dict)  # working group id -> title
    partners: dict = field(default_factory=dict)  # partner page id -> title
    keys: set = field(default_factory=set)
    site: object = None  # the hub's default Wagtail site
    site_root: str = ""  # its address, e.g. https://hub.example.org

    @classmethod
    def load(cls, oldest, now):
        news = cls(now=now)
        # Wagtail caches the site's root paths on this object: one lookup for every link.
        urls = SimpleNamespace()
        news.site = Site.objects.filter(is_default_site=True).first()
        news.site_root = news.site.root_url if news.site else ""
        news.topics = {topic.pk: topic for topic in Topic.objects.order_by("name")}
        resources = news._resources(oldest, now, urls)
        events = news._events(oldest, now, urls)
        news._groups(oldest, resources, events, urls)
        news._partner_updates(oldest, now, urls)
        return news

    def _add(self, index, owner_id, item):
        index.setdefault(owner_id, []).append(item)
        self.keys.add(item.key)

    def _resources(self, oldest, now, urls):
        pages = (
            ResourcePage.objects.live()
            .filter(
                Q(first_published_at__gt=oldest)
                | Q(last_reviewed__gte=timezone.localdate(oldest), last_reviewed__lte=timezone.localdate(now))
            )
            .only("title", "url_path", "audience", "summary", "first_published_at", "last_reviewed")
        )
        items = {}
        for page in pages:
            items[page.pk] = Item(
                key=f"resource:{page.pk}@{page.last_reviewed or '-'}",
                section=RESOURCES,
                title=page.title,
                url=page.get_full_url(urls),
                audiences=(page.audience,),
                published_at=page.first_published_at,
                reviewed_on=page.last_reviewed,
                summary=_shorten(page.summary),
                members_only=page.audience != "public",
                sort_key=(-(page.first_published_at.timestamp() if page.first_published_at else 0), page.pk),
            )
        for page_id, topic_id in pages.values_list("pk", "topics"):
            if topic_id is not None:
                self._add(self.by_topic, topic_id, items[page_id])
        return items

    def _events(self, oldest, now, urls):
        pages = (
            EventPage.objects.live()
            .filter(start__gt=now, first_published_at__gt=oldest, cancelled=False)
            .only(
                "title", "url_path", "audience", "summary", "first_published_at", "start", "end", "time_zone"
            )
        )
        items = {}
        for page in pages:
            items[page.pk] = Item(
                key=f"event:{page.pk}",
                section=EVENTS,
                title=page.title,
                url=page.get_full_url(urls),
                audiences=(page.audience,),
                published_at=page.first_published_at,
                summary=_shorten(page.summary),
                detail=page.when_label,
                members_only=page.audience != "public",
                sort_key=(page.start.timestamp(), page.pk),
            )
        for page_id, topic_id in pages.values_list("pk", "topics"):
            if topic_id is not None:
                self._add(self.by_topic, topic_id, items[page_id])
        return items

    def _groups(self, oldest, resources, events, urls):
        groups = {
            page.pk: page for page in WorkingGroupPage.objects.live().only("title", "url_path", "audience")
        }
        self.groups = {pk: page.title for pk, page in groups.items()}

        def through_group(item, group):
            # Shown because of the group: its page's audience applies as well.
            return Item(**{**item.__dict__, "audiences": (*item.audiences, group.audience)})

        links = [
            (WorkingGroupOutput.objects.filter(resource_id__in=list(resources)), "resource_id", resources),
            (WorkingGroupMeeting.objects.filter(meeting_id__in=list(events)), "meeting_id", events),
        ]
        for query, target, items in links:
            for group_id, item_id in query.filter(page_id__in=list(groups)).values_list("page_id", target):
                self._add(self.by_group, group_id, through_group(items[item_id], groups[group_id]))
        documents = (
            WorkingGroupDocument.objects.filter(page_id__in=list(groups), document__created_at__gt=oldest)
            .select_related("document")
            .only("page", "title", "document__title", "document__created_at")
        )
        for row in documents:
            group = groups[row.page_id]
            self._add(
                self.by_group,
                group.pk,
                Item(
                    key=f"group-document:{row.pk}",
                    section=GROUP_DOCUMENTS,
                    title=row.label,
                    url=self.site_root + reverse("working-group-document", args=[row.pk]),
                    audiences=(group.audience,),
                    published_at=row.document.created_at,
                    detail=f"For the members of {group.title}",
                    members_only=True,
                    group_id=group.pk,
                    sort_key=(-row.document.created_at.timestamp(), row.pk),
                ),
            )

    def _partner_updates(self, oldest, now, urls):
        partners = {
            page.pk: page
            for page in PartnerCommunityPage.objects.live().only("title", "url_path", "audience")
        }
        self.partners = {pk: page.title for pk, page in partners.items()}
        updates = (
            PartnerUpdate.objects.filter(partner_id__in=list(partners), first_seen__gt=oldest)
            .filter(
                Q(published__isnull=True)
                | Q(kind=PartnerUpdate.NEWS, published__gt=oldest - PARTNER_DATE_GRACE)
                | Q(kind=PartnerUpdate.EVENT, published__gt=now)
            )
            .only("partner", "kind", "title", "link", "published", "first_seen")
        )
        for update in updates:
            partner = partners[update.partner_id]
            day = timezone.localdate(update.published) if update.published else None
            when = f" on {day.day} {day:%B %Y}" if day else ""
            kind = "Event" if update.kind == PartnerUpdate.EVENT else "News"
            self._add(
                self.by_partner,
                partner.pk,
                Item(
                    key=f"partner-update:{update.pk}",
                    section=PARTNER_UPDATES,
                    title=update.title,
                    url=update.link or partner.get_full_url(urls),
                    audiences=(partner.audience,),
                    published_at=update.first_seen,
                    detail=f"{kind} from {partner.title}{when}",
                    members_only=partner.audience != "public",
                    sort_key=(-update.first_seen.timestamp(), update.pk),
                ),
            )


def _shorten(text, limit=240):
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",.;:") + "…"
