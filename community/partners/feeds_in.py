"""Reading partners' feeds: RSS/Atom news and iCal events become partner updates.

Partners' servers are outside our control, so each feed is read defensively:
at most ``TIMEOUT`` seconds to connect and between bytes, at most ``MAX_BYTES``
read, XML that is not well-formed and pages that are not feeds rejected with a
plain reason, internal addresses refused at every redirect (``hub.outbound``),
items without a title or with a non-web link left out, duplicates
(within a feed and across runs) stored once, and summaries reduced to plain
text. A failing feed is recorded and never stops the others.
"""

import hashlib
import io
import logging
import re
import xml.sax
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from html import unescape
from html.parser import HTMLParser

import feedparser
from django.db import transaction
from django.utils import timezone
from icalendar import Calendar

from hub import outbound

logger = logging.getLogger(__name__)

TIMEOUT = 5
MAX_BYTES = 2 * 1024 * 1024
MAX_ITEMS = 50
SUMMARY_CHARS = 600
KEEP_PER_PARTNER = 100
USER_AGENT = "CoP-Knowledge-Hub-feed-reader/1.0 (+partner feeds)"


class FeedProblem(Exception):
    """A feed we could not use, with the reason in plain words."""


@dataclass
class FeedItem:
    guid: str
    title: str
    link: str = ""
    published: datetime | None = None
    summary: str = ""


@dataclass
class FeedOutcome:
    succeeded: bool
    message: str
    new_items: int = 0
    updated_items: int = 0
    items: list = field(default_factory=list)


# --- plain text ------------------------------------------------------------------


class _TextExtractor(HTMLParser):
    SKIPPED = {"script", "style", "iframe", "object", "noscript", "template"}
    BREAKS = {"p", "br", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIPPED:
            self.skipping += 1
        elif tag in self.BREAKS:
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in self.SKIPPED and self.skipping:
            self.skipping -= 1

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def plain_text(value, limit=None):
    """Text without tags, scripts or styles, with entities decoded and spaces
    collapsed; shortened to ``limit`` characters at a word boundary."""
    if not value:
        return ""
    extractor = _TextExtractor()
    extractor.feed(str(value))
    extractor.close()
    text = re.sub(r"\s+", " ", unescape("".join(extractor.parts))).strip()
    # Drop control characters a feed may carry.
    text = "".join(ch for ch in text if ch >= " " or ch == "\n")
    if limit and len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0].rstrip(",.;:") + "…"
    return text


def web_link(value):
    value = (value or "").strip()
    return value[:1000] if value.lower().startswith(("http://", "https://")) else ""


# --- fetching ----------------------------------------------------------------------


def fetch(url):
    """The body of ``url``, or FeedProblem. Never reads more than MAX_BYTES, and
    never from an internal address (``hub.outbound`` checks every redirect)."""
    try:
        with outbound.fetch(url, timeout=TIMEOUT, headers={"User-Agent": USER_AGENT}) as response:
            if response.status_code >= 400:
                raise FeedProblem(f"The partner's server answered {response.status_code}.")
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > MAX_BYTES:
                raise FeedProblem(f"The feed is larger than {MAX_BYTES // 1024 // 1024} MB; it was not read.")
            body = bytearray()
            for chunk in response.iter_content(64 * 1024):
                body.extend(chunk)
                if len(body) > MAX_BYTES:
                    raise FeedProblem(
                        f"The feed is larger than {MAX_BYTES // 1024 // 1024} MB; reading stopped there."
                    )
            return bytes(body), response.headers.get("Content-Type", "")
    except outbound.TimedOut as error:
        raise FeedProblem(f"The partner's server did not answer within {TIMEOUT} seconds.") from error
    except outbound.OutboundProblem as error:
        # Refused addresses, unknown hosts, refused connections, redirect loops.
        raise FeedProblem(str(error)) from error


# --- parsing -----------------------------------------------------------------------


def _aware(struct):
    if not struct:
        return None
    return datetime(*struct[:6], tzinfo=UTC)


def parse_news(body):
    """Items of an RSS or Atom feed, or FeedProblem."""
    # A stream, never bytes: feedparser would treat a body that names a local
    # file as that file's path.
    parsed = feedparser.parse(io.BytesIO(body), sanitize_html=True, resolve_relative_uris=False)
    if parsed.bozo and isinstance(parsed.get("bozo_exception"), xml.sax.SAXException):
        raise FeedProblem(f"The feed is not well-formed XML ({parsed.bozo_exception}).")
    if not parsed.get("version"):
        raise FeedProblem("This address does not give an RSS or Atom feed.")
    items, seen = [], set()
    for entry in parsed.entries[: MAX_ITEMS * 2]:
        title = plain_text(entry.get("title"), 300)
        if not title:
            continue
        link = web_link(entry.get("link"))
        published = _aware(entry.get("published_parsed") or entry.get("updated_parsed"))
        guid = (entry.get("id") or link or "").strip()
        if not guid:
            guid = hashlib.sha1(f"{title}|{published}".encode()).hexdigest()
        guid = guid[:500]
        if guid in seen:
            continue
        seen.add(guid)
        summary = entry.get("summary") or ""
        if not summary and entry.get("content"):
            summary = entry.content[0].get("value", "")
        items.append(FeedItem(guid, title, link, published, plain_text(summary, SUMMARY_CHARS)))
        if len(items) >= MAX_ITEMS:
            break
    return items


def _moment(value):
    if value is None:
        return None
    value = value.dt
    if isinstance(value, datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    if isinstance(value, date):
        return timezone.make_aware(datetime.combine(value, time(0, 0)))
    return None


def parse_events(body):
    """Upcoming (and recent) events of an iCal feed, or FeedProblem."""
    if b"BEGIN:VCALENDAR" not in body[:2048]:
        raise FeedProblem("This address does not give an iCal calendar.")
    try:
        calendar = Calendar.from_ical(body)
    except (ValueError, KeyError, IndexError) as error:
        raise FeedProblem(f"The calendar could not be read ({error}).") from error
    items, seen = [], set()
    for event in calendar.walk("VEVENT"):
        title = plain_text(str(event.get("SUMMARY", "")), 300)
        if not title or str(event.get("STATUS", "")).upper() == "CANCELLED":
            continue
        start = _moment(event.get("DTSTART"))
        uid = str(event.get("UID", "")).strip() or hashlib.sha1(f"{title}|{start}".encode()).hexdigest()
        if uid in seen:
            continue
        seen.add(uid)
        link = web_link(str(event.get("URL", "")))
        items.append(
            FeedItem(
                uid[:500], title, link, start, plain_text(str(event.get("DESCRIPTION", "")), SUMMARY_CHARS)
            )
        )
    items.sort(key=lambda item: item.published or timezone.now(), reverse=True)
    return items[:MAX_ITEMS]


# --- storing -----------------------------------------------------------------------


def store(partner, kind, items):
    """Save ``items`` as the partner's updates: new ones added, changed ones
    updated, unchanged ones left alone. Returns (new, updated)."""
    from community.models import PartnerUpdate

    existing = {u.guid: u for u in PartnerUpdate.objects.filter(partner=partner, kind=kind)}
    new = updated = 0
    with transaction.atomic():
        for item in items:
            current = existing.get(item.guid)
            values = {
                "title": item.title,
                "link": item.link,
                "published": item.published,
                "summary": item.summary,
            }
            if current is None:
                PartnerUpdate.objects.create(partner=partner, kind=kind, guid=item.guid, **values)
                new += 1
            elif any(getattr(current, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(current, name, value)
                current.save()
                updated += 1
        keep = (
            PartnerUpdate.objects.filter(partner=partner)
            .order_by("-first_seen", "-pk")
            .values_list("pk", flat=True)[:KEEP_PER_PARTNER]
        )
        PartnerUpdate.objects.filter(partner=partner).exclude(pk__in=list(keep)).delete()
    return new, updated


def read_feed(partner, kind, url):
    """Fetch, parse and store one feed; never raises for a bad feed."""
    from community.models import PartnerUpdate

    parse = parse_news if kind == PartnerUpdate.NEWS else parse_events
    try:
        body, _content_type = fetch(url)
        items = parse(body)
        new, updated = store(partner, kind, items)
    except FeedProblem as problem:
        return FeedOutcome(False, str(problem))
    except Exception as error:
        # Anything else a strange feed provokes: recorded, and the run goes on.
        logger.exception("Unexpected problem reading %s", url)
        return FeedOutcome(False, f"Unexpected problem reading the feed ({type(error).__name__}).")
    found = len(items)
    message = f"Read {found} item{'s' if found != 1 else ''}: {new} new, {updated} changed."
    return FeedOutcome(True, message, new, updated, items)


def fetch_all(partners=None, stdout=None):
    """Read every feed of every live partner page; one result row per feed."""
    from community.models import PartnerCommunityPage, PartnerFeedResult, PartnerUpdate

    started = timezone.now()
    partners = partners if partners is not None else PartnerCommunityPage.objects.live().order_by("title")
    results = []
    for partner in partners:
        for kind, url in (
            (PartnerUpdate.NEWS, partner.news_feed_url),
            (PartnerUpdate.EVENT, partner.events_feed_url),
        ):
            if not url:
                continue
            outcome = read_feed(partner, kind, url)
            results.append(
                PartnerFeedResult.objects.create(
                    partner=partner,
                    run_started_at=started,
                    feed_url=url,
                    kind=kind,
                    succeeded=outcome.succeeded,
                    message=outcome.message,
                    new_items=outcome.new_items,
                    updated_items=outcome.updated_items,
                )
            )
            if stdout is not None:
                state = "ok" if outcome.succeeded else "FAILED"
                stdout.write(f"{partner.title} ({kind}): {state}: {outcome.message}")
    if any(r.new_items or r.updated_items for r in results):
        from hub.cache import purge_page_cache

        # Partner pages and the network page show the updates.
        purge_page_cache()
    return results
