"""The digest e-mail: an HTML part (headings, lists, link text that says where
it goes) and a plain-text part, every link a full address on the hub's site,
and the one-click unsubscribe headers of RFC 8058.

Each item's part is rendered once per run and shared by every e-mail that
mentions it; each e-mail then renders its own template around those parts.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from events.models import EventIndexPage
from hub.context_processors import site_facts
from knowledge.models import ResourceIndexPage

from ..models import NetworkUpdatesPage, WorkingGroupIndexPage
from .news import EVENTS, GROUP_DOCUMENTS, PARTNER_UPDATES, RESOURCES, REVIEWED
from .unsubscribe import unsubscribe_path

HEADINGS = {
    RESOURCES: "New and reviewed resources",
    EVENTS: "Upcoming events",
    GROUP_DOCUMENTS: "New documents in your working groups",
    PARTNER_UPDATES: "News from partner communities",
}
NOUNS = {
    RESOURCES: ("resource", "resources"),
    EVENTS: ("event", "events"),
    GROUP_DOCUMENTS: ("working group document", "working group documents"),
    PARTNER_UPDATES: ("partner update", "partner updates"),
}
# Where "and 12 more" leads, and what its link says.
MORE = {
    RESOURCES: (ResourceIndexPage, "see the resource library"),
    EVENTS: (EventIndexPage, "see all events"),
    GROUP_DOCUMENTS: (WorkingGroupIndexPage, "see the working groups"),
    PARTNER_UPDATES: (NetworkUpdatesPage, "see the news from across the network"),
}


def day_label(day):
    return f"{day.day} {day:%B %Y}"


def joined(words):
    words = list(words)
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def counts_label(digest):
    parts = []
    for section, entries in digest.sections.items():
        count = len(entries) + digest.more.get(section, 0)
        singular, plural = NOUNS[section]
        parts.append(f"{count} {singular if count == 1 else plural}")
    return joined(parts)


def _note(entry):
    item = entry.item
    if item.section == RESOURCES:
        if entry.state == REVIEWED:
            return f"Reviewed again on {day_label(item.reviewed_on)}"
        return "New in the library"
    return item.detail


class Renderer:
    """Renders the e-mails of one run (``news``: the run's community.digest.news.News).

    Every item (for each set of reasons it is listed for) and every topic's
    feed links are rendered once and shared; an e-mail's own template only
    puts them together, so rendering stays cheap for 10,000 e-mails."""

    def __init__(self, news):
        self.news = news
        self.site_root = news.site_root
        facts = site_facts(news.site) if news.site else None
        self.site_name = (facts and facts.community_name) or settings.WAGTAIL_SITE_NAME
        self.contact_address = facts.contact_address if facts else ""
        self.profile_url = self.site_root + reverse("account-profile")
        self._feeds = (self.site_root + reverse("feed-resources"), self.site_root + reverse("feed-events"))
        self._items, self._feed_parts, self._more_urls = {}, {}, {}
        self._html = get_template("community/emails/digest.html")
        self._text = get_template("community/emails/digest.txt")
        self._item_html = get_template("community/emails/digest_item.html")
        self._item_text = get_template("community/emails/digest_item.txt")

    def _item(self, entry):
        key = (entry.item.key, entry.state, tuple(entry.reasons))
        part = self._items.get(key)
        if part is None:
            context = {"item": entry.item, "note": _note(entry), "reasons": joined(entry.reasons)}
            part = self._items[key] = (
                self._item_html.render(context).strip(),
                self._item_text.render(context).rstrip() + "\n\n",
            )
        return part

    def _feed(self, topic):
        part = self._feed_parts.get(topic.pk)
        if part is None:
            resources, events = (f"{feed}?topic={topic.slug}" for feed in self._feeds)
            part = self._feed_parts[topic.pk] = (
                format_html(
                    '<li><a href="{}">New resources on {} (RSS feed)</a> and '
                    '<a href="{}">upcoming events on {} (RSS feed)</a></li>',
                    resources,
                    topic.name,
                    events,
                    topic.name,
                ),
                f"* New resources on {topic.name} (RSS feed): {resources}\n"
                f"* Upcoming events on {topic.name} (RSS feed): {events}\n",
            )
        return part

    def _more_url(self, section):
        if section not in self._more_urls:
            model, _text = MORE[section]
            page = model.objects.live().public().order_by("path").first()
            self._more_urls[section] = page.get_full_url() if page else self.site_root + "/"
        return self._more_urls[section]

    def context(self, digest):
        sections = []
        for section, entries in digest.sections.items():
            parts = [self._item(entry) for entry in entries]
            more = digest.more.get(section, 0)
            sections.append(
                {
                    "heading": HEADINGS[section],
                    "html": mark_safe("\n".join(html for html, _text in parts)),  # rendered, escaped parts
                    "text": "".join(text for _html, text in parts),
                    "more": more,
                    "more_url": self._more_url(section) if more else "",
                    "more_link_text": MORE[section][1],
                }
            )
        topics = sorted((self.news.topics[pk] for pk in digest.topic_ids), key=lambda topic: topic.name)
        feeds = [self._feed(topic) for topic in topics]
        user = digest.user
        return {
            "subject": self.subject(digest),
            "language_code": settings.LANGUAGE_CODE,
            "name": user.first_name or user.get_full_name() or user.username,
            "site_name": self.site_name,
            "since_label": day_label(timezone.localdate(digest.since)),
            "sections": sections,
            "feeds_html": mark_safe("\n".join(html for html, _text in feeds)),  # built by format_html
            "feeds_text": "".join(text for _html, text in feeds),
            "adjective": digest.adjective,
            "contact_address": self.contact_address,
            "profile_url": self.profile_url,
            "unsubscribe_url": self.unsubscribe_url(digest),
        }

    def unsubscribe_url(self, digest):
        return self.site_root + unsubscribe_path(digest.profile)

    def subject(self, digest):
        return f"Your {digest.adjective} news from {self.site_name}: {counts_label(digest)}"

    def message(self, digest):
        context = self.context(digest)
        message = EmailMultiAlternatives(
            subject=context["subject"],
            body=self._text.render(context),
            to=[digest.user.email],
            headers={
                "List-Unsubscribe": f"<{context['unsubscribe_url']}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                "Auto-Submitted": "auto-generated",
            },
        )
        message.attach_alternative(self._html.render(context), "text/html")
        return message
