"""Which members are due a digest, and what goes in each one.

``build_digests(now)`` reads the due members, what they follow, what went to
them before and who may see what in a fixed number of queries however many
members there are (``News.load`` reads the news once), then puts each
member's digest together in Python.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from dateutil.relativedelta import relativedelta
from django.db.models import Q
from django.utils import timezone

from hub.audience import audiences_by_user

from ..models import DigestItemSent, MemberProfile, WorkingGroupPage
from .news import EVENTS, GROUP_DOCUMENTS, PARTNER_UPDATES, RESOURCES, News

PERIODS = {
    MemberProfile.DIGEST_DAILY: relativedelta(days=1),
    MemberProfile.DIGEST_WEEKLY: relativedelta(weeks=1),
    MemberProfile.DIGEST_MONTHLY: relativedelta(months=1),
}
ADJECTIVES = {
    MemberProfile.DIGEST_DAILY: "daily",
    MemberProfile.DIGEST_WEEKLY: "weekly",
    MemberProfile.DIGEST_MONTHLY: "monthly",
}
# send_digests runs from cron (hourly): a run a few minutes earlier than the
# last one's time of day still counts, so a daily digest keeps its hour.
EARLY = timedelta(minutes=10)
# A member who turns the digest back on after a long time gets at most this
# many periods of news, not everything since their last digest.
MOST_PERIODS_BACK = 2
# Sent-item records older than this are never looked at again: no window reaches back so far.
KEEP_RECORDS = timedelta(days=100)
MOST_PER_SECTION = 20


@dataclass
class Entry:
    item: object
    state: str
    reasons: list = field(default_factory=list)


@dataclass
class Digest:
    """One member's digest, ready to render."""

    profile: object
    since: object
    sections: dict  # section -> [Entry], in the order they are shown
    topic_ids: list  # followed topics, for links to their feeds
    more: dict = field(default_factory=dict)  # section -> how many were left out
    news: object = None  # the run's News, shared by every digest

    @property
    def user(self):
        return self.profile.user

    @property
    def keys(self):
        return [entry.item.key for entries in self.sections.values() for entry in entries]

    @property
    def adjective(self):
        return ADJECTIVES[self.profile.digest_frequency]


def due_profiles(now):
    """Profiles of active members with an e-mail address whose digest is due at ``now``."""
    due = Q()
    for frequency, period in PERIODS.items():
        due |= Q(digest_frequency=frequency) & (
            Q(digest_sent_at__isnull=True) | Q(digest_sent_at__lte=now - period + EARLY)
        )
    return MemberProfile.objects.filter(due, user__is_active=True).exclude(user__email="")


def window_start(profile, now):
    """News after this moment goes in the member's digest."""
    period = PERIODS[profile.digest_frequency]
    earliest = now - period * MOST_PERIODS_BACK
    return max(profile.digest_sent_at or now - period, earliest)


def _follows(field_name, profile_ids):
    """{profile id: [ids of what it follows]} from the many-to-many table, in one query."""
    relation = MemberProfile._meta.get_field(field_name)
    source, target = relation.m2m_column_name(), relation.m2m_reverse_name()
    rows = relation.remote_field.through.objects.filter(**{f"{source}__in": profile_ids})
    found = {}
    for profile_id, target_id in rows.order_by(source, target).values_list(source, target):
        found.setdefault(profile_id, []).append(target_id)
    return found


def build_digests(now=None):
    """The digests due at ``now`` that have something new, one per member."""
    now = now or timezone.now()
    due = due_profiles(now)
    profiles = list(
        due.select_related("user").only(
            "digest_frequency",
            "digest_sent_at",
            "user__email",
            "user__first_name",
            "user__last_name",
            "user__username",
            "user__is_superuser",
            "user__is_active",
        )
    )
    if not profiles:
        return []
    windows = {profile.pk: window_start(profile, now) for profile in profiles}
    news = News.load(min(windows.values()), now)
    profile_ids = due.values("pk")
    topics = _follows("topics", profile_ids)
    groups = _follows("followed_groups", profile_ids)
    partners = _follows("followed_partners", profile_ids)
    sent = {}
    if news.keys:
        rows = DigestItemSent.objects.filter(profile_id__in=profile_ids, item__in=sorted(news.keys))
        for profile_id, key in rows.values_list("profile_id", "item"):
            sent.setdefault(profile_id, set()).add(key)
    users = [profile.user for profile in profiles]
    audiences = audiences_by_user(users, among=due.values("user_id"))
    group_ids = {item.group_id for items in news.by_group.values() for item in items if item.group_id}
    group_readers = WorkingGroupPage.members_among(group_ids, users) if group_ids else {}

    digests = []
    for profile in profiles:
        digest = _assemble(
            profile,
            news,
            since=windows[profile.pk],
            topic_ids=topics.get(profile.pk, []),
            group_ids=groups.get(profile.pk, []),
            partner_ids=partners.get(profile.pk, []),
            sent=sent.get(profile.pk, set()),
            allowed=audiences[profile.user.pk],
            group_readers=group_readers,
        )
        if digest is not None:
            digests.append(digest)
    return digests


def _assemble(profile, news, since, topic_ids, group_ids, partner_ids, sent, allowed, group_readers):
    since_day = timezone.localdate(since)
    entries = {}

    def offer(item, reason):
        if not all(audience in allowed for audience in item.audiences):
            return
        if item.group_id is not None and profile.user.pk not in group_readers.get(item.group_id, ()):
            return
        if item.key in sent:
            return
        state = item.state_since(since, since_day)
        if state is None:
            return
        entry = entries.get(item.key)
        if entry is None:
            entry = entries[item.key] = Entry(item, state)
        if reason not in entry.reasons:
            entry.reasons.append(reason)

    for topic_id in topic_ids:
        topic = news.topics.get(topic_id)
        for item in news.by_topic.get(topic_id, ()):
            offer(item, f"the topic {topic.name}")
    for group_id in group_ids:
        for item in news.by_group.get(group_id, ()):
            offer(item, f"the working group {news.groups[group_id]}")
    for partner_id in partner_ids:
        for item in news.by_partner.get(partner_id, ()):
            offer(item, f"the partner community {news.partners[partner_id]}")
    if not entries:
        return None
    sections, more = {}, {}
    for section in (RESOURCES, EVENTS, GROUP_DOCUMENTS, PARTNER_UPDATES):
        found = sorted(
            (e for e in entries.values() if e.item.section == section), key=lambda e: e.item.sort_key
        )
        if found:
            sections[section] = found[:MOST_PER_SECTION]
            if len(found) > MOST_PER_SECTION:
                more[section] = len(found) - MOST_PER_SECTION
    return Digest(
        profile=profile,
        since=since,
        sections=sections,
        topic_ids=[pk for pk in topic_ids if pk in news.topics],
        more=more,
        news=news,
    )
