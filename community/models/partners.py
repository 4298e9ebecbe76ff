"""Partner communities of practice: the directory, each partner's page, what
their feeds tell us, visits they send us, and the state of external links.

Partner pages are public pages like any other (page privacy still applies).
Partner updates come from the partners' own RSS/Atom and iCal feeds
(``community.partners.feeds_in``); referral counts are per partner and day
only, with nothing about the visitor (``community.partners.referrals``).
"""

from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.cache import patch_cache_control
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.search import index

from hub.models import BasePage, Topic
from hub.privacy import visible_pages

__all__ = [
    "CommunityIndexPage",
    "LinkCheck",
    "NetworkUpdatesPage",
    "PartnerCommunityPage",
    "PartnerFeedResult",
    "PartnerUpdate",
    "ReferralCount",
]

PARTNER = "partner"
AFFILIATED = "affiliated"
RELATED = "related"
RELATIONSHIP_CHOICES = [
    (PARTNER, "Partner"),
    (AFFILIATED, "Affiliated network"),
    (RELATED, "Related community"),
]
RELATIONSHIP_LABELS = dict(RELATIONSHIP_CHOICES)
UPDATES_SHOWN = 10
NETWORK_UPDATES_SHOWN = 30


def host_of(url):
    """The host name of a web address, without "www.", lower case ("" if none)."""
    host = (urlsplit(url).hostname or "") if url else ""
    return host.lower().removeprefix("www.")


class CommunityIndexPage(BasePage):
    """The directory of partner and related communities of practice (demo: /communities/),
    filterable by topic and relationship."""

    introduction = models.TextField(
        blank=True,
        help_text="A sentence or two above the directory on how the hub works with other communities.",
    )

    content_panels = BasePage.content_panels + [FieldPanel("introduction")]
    search_fields = BasePage.search_fields + [index.SearchField("introduction")]

    parent_page_types = ["home.HomePage"]
    subpage_types = [
        "community.PartnerCommunityPage",
        "community.NetworkUpdatesPage",
        "syndication.LinkToUsPage",
    ]

    class Meta:
        verbose_name = "community directory"

    def partners(self, request):
        return visible_pages(PartnerCommunityPage.objects.child_of(self), request).order_by("title")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        partners = self.partners(request)
        all_topic_ids = set(partners.values_list("topics", flat=True))
        topic_options = list(Topic.objects.filter(pk__in=all_topic_ids).order_by("name"))
        notices = []
        topic_slug = request.GET.get("topic", "").strip()
        chosen_topic = next((t for t in topic_options if t.slug == topic_slug), None)
        if topic_slug and chosen_topic is None:
            notices.append("No community works on that topic, so the topic filter was left out.")
        relationship = request.GET.get("relationship", "").strip()
        if relationship and relationship not in RELATIONSHIP_LABELS:
            notices.append("That kind of relationship is not one we use, so it was left out.")
            relationship = ""
        if chosen_topic is not None:
            partners = partners.filter(topics=chosen_topic)
        if relationship:
            partners = partners.filter(relationship=relationship)
        context.update(
            partner_communities=list(partners.distinct().prefetch_related("topics").select_related("logo")),
            topic_options=topic_options,
            chosen_topic=chosen_topic,
            relationship_options=RELATIONSHIP_CHOICES,
            chosen_relationship=relationship,
            filter_notices=notices,
            network_page=visible_pages(NetworkUpdatesPage.objects.child_of(self), request).first(),
            link_to_us_page=self._link_to_us_page(request),
        )
        return context

    def _link_to_us_page(self, request):
        from syndication.models import LinkToUsPage

        return visible_pages(LinkToUsPage.objects.child_of(self), request).first()


class PartnerCommunityPage(BasePage):
    """Another community of practice we work with: who they are, what they work
    on, their news and events (read from their feeds), and what we share with them.
    The page's slug is the partner's referral code: links with ?ref=<slug> are counted."""

    search_type = "Partner community"

    description = models.TextField(
        help_text="Who they are and what they do, in two or three plain sentences."
    )
    body = RichTextField(
        "about the partnership",
        features=["bold", "italic", "ol", "ul", "link"],
        blank=True,
        help_text="How we work together: joint projects, shared events, people to talk to.",
    )
    relationship = models.CharField(
        max_length=20,
        choices=RELATIONSHIP_CHOICES,
        default=PARTNER,
        db_index=True,
        help_text="Partner: we work together formally. Affiliated network: a network we belong to or "
        "that belongs to us. Related community: a community working on similar questions.",
    )
    topics = ParentalManyToManyField(
        "hub.Topic", blank=True, related_name="partner_communities", help_text="What they focus on."
    )
    populations = ParentalManyToManyField(
        "hub.Population",
        blank=True,
        related_name="partner_communities",
        help_text="The people they serve or study. Leave empty if everyone.",
    )
    website = models.URLField(
        max_length=500, help_text="Their website. Visits from it are counted as referrals."
    )
    contact_name = models.CharField(max_length=200, blank=True, help_text="Who to contact there.")
    contact_email = models.EmailField(
        blank=True, help_text="A public contact address, e.g. their info@ address."
    )
    logo = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Their logo.",
    )
    logo_alt = models.CharField(
        "logo alt text",
        max_length=255,
        blank=True,
        help_text=(
            "Usually the organisation's name, e.g. “Logo of the Northeast MHTTC”. Required with a logo."
        ),
    )
    news_feed_url = models.URLField(
        "news feed (RSS or Atom)",
        max_length=500,
        blank=True,
        help_text="Address of their RSS or Atom feed. Read by fetch_partner_feeds.",
    )
    events_feed_url = models.URLField(
        "events calendar (iCal)",
        max_length=500,
        blank=True,
        help_text="Address of their .ics calendar feed. Read by fetch_partner_feeds.",
    )
    referral_domains = models.CharField(
        max_length=500,
        blank=True,
        help_text="Other domains of theirs whose visits count as referrals, separated by commas "
        "(the website's own domain always counts).",
    )
    shared_resources = ParentalManyToManyField(
        "knowledge.ResourcePage",
        blank=True,
        related_name="partner_communities",
        help_text="Resources co-produced with or shared by this partner. They list this partner too.",
    )
    shared_events = ParentalManyToManyField(
        "events.EventPage",
        blank=True,
        related_name="partner_communities",
        help_text="Events run with or shared by this partner.",
    )

    content_panels = BasePage.content_panels + [
        FieldPanel("description"),
        FieldPanel("relationship", widget=forms.RadioSelect),
        FieldPanel("body"),
        MultiFieldPanel(
            [
                FieldPanel("topics", widget=forms.CheckboxSelectMultiple),
                FieldPanel("populations", widget=forms.CheckboxSelectMultiple),
            ],
            heading="Focus",
        ),
        MultiFieldPanel(
            [
                FieldPanel("website"),
                FieldRowPanel([FieldPanel("contact_name"), FieldPanel("contact_email")]),
                FieldPanel("logo"),
                FieldPanel("logo_alt"),
            ],
            heading="Contact and logo",
        ),
        MultiFieldPanel(
            [FieldPanel("news_feed_url"), FieldPanel("events_feed_url"), FieldPanel("referral_domains")],
            heading="Their feeds and domains",
        ),
        MultiFieldPanel(
            [FieldPanel("shared_resources"), FieldPanel("shared_events")], heading="What we share"
        ),
    ]

    search_fields = BasePage.search_fields + [
        index.SearchField("description", boost=2),
        index.SearchField("body"),
        index.SearchField("topic_names", boost=3),
        index.SearchField("population_names"),
        index.AutocompleteField("title"),
        index.FilterField("relationship"),
    ]

    parent_page_types = ["community.CommunityIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = "partner community"

    @classmethod
    def get_indexed_objects(cls):
        return super().get_indexed_objects().prefetch_related("topics", "populations")

    def topic_names(self):
        return self.related_names("topics")

    def population_names(self):
        return self.related_names("populations")

    @property
    def search_date(self):
        """A partner has no date of its own: results show when its page was last updated."""
        stamp = self.last_published_at or self.latest_revision_created_at
        return timezone.localdate(stamp) if stamp else None

    card_summary_field = "description"

    @property
    def meta_description(self):
        return self.search_description or self.listing_summary or self.description[:300]

    @property
    def relationship_label(self):
        return RELATIONSHIP_LABELS.get(self.relationship, "")

    @property
    def referral_code(self):
        return self.slug

    def referral_hosts(self):
        hosts = {host_of(self.website)}
        for domain in self.referral_domains.split(","):
            domain = domain.strip().lower()
            hosts.add(host_of(domain if "//" in domain else f"https://{domain}"))
        return {host for host in hosts if host}

    def clean(self):
        super().clean()
        if self.logo_id and not self.logo_alt.strip():
            raise ValidationError({"logo_alt": "Describe the logo for people who cannot see it."})

    # --- reading -------------------------------------------------------------

    def visible_shared_resources(self, request):
        from knowledge.models import ResourcePage

        ids = [page.pk for page in self.shared_resources.all()]
        return list(
            visible_pages(ResourcePage.objects.filter(pk__in=ids), request)
            .select_related("resource_type", "evidence_level")
            .order_by("title")
        )

    def visible_shared_events(self, request):
        from events.models import EventPage

        ids = [page.pk for page in self.shared_events.all()]
        events = EventPage.objects.filter(pk__in=ids)
        return list(visible_pages(events, request).filter(end__gte=timezone.now()).order_by("start"))

    def latest_updates(self, limit=UPDATES_SHOWN):
        return list(self.updates.order_by(models.F("published").desc(nulls_last=True), "-pk")[:limit])

    def referral_summary(self, days=30):
        since = timezone.localdate() - timezone.timedelta(days=days - 1)
        rows = self.referral_counts.filter(day__gte=since)
        totals = rows.aggregate(link=models.Sum("via_link"), website=models.Sum("via_website"))
        return {
            "days": days,
            "via_link": totals["link"] or 0,
            "via_website": totals["website"] or 0,
            "total": (totals["link"] or 0) + (totals["website"] or 0),
        }

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(
            shared_resources_visible=self.visible_shared_resources(request),
            shared_events_visible=self.visible_shared_events(request),
            partner_updates=self.latest_updates(),
        )
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.has_perm("community.view_referralcount"):
            context["referrals"] = self.referral_summary()
        return context

    def serve(self, request, *args, **kwargs):
        response = super().serve(request, *args, **kwargs)
        if request.user.is_authenticated:
            # Editors see referral counts: never kept by a shared cache.
            response.hub_page_cacheable = False
            patch_cache_control(response, private=True)
        return response


class NetworkUpdatesPage(BasePage):
    """“Across the network”: the latest news and events from every partner's feeds."""

    introduction = models.TextField(blank=True, help_text="A sentence above the list of updates.")
    card_summary_field = "introduction"

    content_panels = BasePage.content_panels + [FieldPanel("introduction")]
    search_fields = BasePage.search_fields + [index.SearchField("introduction")]

    parent_page_types = ["community.CommunityIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = "across the network page"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        partner_ids = visible_pages(PartnerCommunityPage.objects.all(), request).values_list("pk", flat=True)
        context["network_updates"] = list(
            PartnerUpdate.objects.filter(partner_id__in=list(partner_ids))
            .select_related("partner")
            .order_by(models.F("published").desc(nulls_last=True), "-pk")[:NETWORK_UPDATES_SHOWN]
        )
        return context


class PartnerUpdate(models.Model):
    """One item from a partner's feed: a news item or an event. Stored by
    fetch_partner_feeds; the summary is plain text (tags removed)."""

    NEWS = "news"
    EVENT = "event"
    KIND_CHOICES = [(NEWS, "News"), (EVENT, "Event")]

    partner = models.ForeignKey(PartnerCommunityPage, on_delete=models.CASCADE, related_name="updates")
    kind = models.CharField(max_length=10, choices=KIND_CHOICES, default=NEWS)
    guid = models.CharField(max_length=500, help_text="The item's id in the partner's feed.")
    title = models.CharField(max_length=300)
    link = models.URLField(max_length=1000, blank=True)
    published = models.DateTimeField(null=True, blank=True, help_text="Its date, or the event's start.")
    summary = models.TextField(blank=True)
    first_seen = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "partner update"
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "kind", "guid"], name="one_partner_update_per_feed_item"
            )
        ]

    def __str__(self):
        return self.title


class PartnerFeedResult(models.Model):
    """What one run of fetch_partner_feeds found in one of a partner's feeds."""

    partner = models.ForeignKey(PartnerCommunityPage, on_delete=models.CASCADE, related_name="feed_results")
    run_started_at = models.DateTimeField(db_index=True)
    feed_url = models.URLField(max_length=500)
    kind = models.CharField(max_length=10, choices=PartnerUpdate.KIND_CHOICES)
    succeeded = models.BooleanField(default=False)
    message = models.TextField(blank=True)
    new_items = models.PositiveIntegerField(default=0)
    updated_items = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-run_started_at", "partner__title"]
        verbose_name = "partner feed result"

    def __str__(self):
        state = "read" if self.succeeded else "failed"
        return f"{self.partner.title}: {state} at {self.run_started_at:%Y-%m-%d %H:%M}"


class ReferralCount(models.Model):
    """Visits a partner sent us on one day: through a link with ?ref=<their code>
    or from their website. Only counts: nothing about the visitor is kept."""

    partner = models.ForeignKey(
        PartnerCommunityPage, on_delete=models.CASCADE, related_name="referral_counts"
    )
    day = models.DateField(db_index=True)
    via_link = models.PositiveIntegerField("visits through ?ref= links", default=0)
    via_website = models.PositiveIntegerField("visits from their website", default=0)

    class Meta:
        ordering = ["-day", "partner__title"]
        verbose_name = "referral count"
        constraints = [models.UniqueConstraint(fields=["partner", "day"], name="one_referral_count_per_day")]

    def __str__(self):
        return f"{self.partner.title} on {self.day}: {self.total}"

    @property
    def total(self):
        return self.via_link + self.via_website


class LinkCheck(models.Model):
    """The last check of one external link on one page, by check_links."""

    page = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+")
    field = models.CharField(max_length=100, help_text="Where the link is on the page.")
    url = models.URLField(max_length=1000)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    final_url = models.URLField(max_length=1000, blank=True)
    problem = models.TextField(blank=True)
    is_broken = models.BooleanField(default=False, db_index=True)
    checked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-is_broken", "page__title"]
        verbose_name = "checked link"
        constraints = [
            models.UniqueConstraint(fields=["page", "field", "url"], name="one_link_check_per_link")
        ]

    def __str__(self):
        return self.url

    @property
    def was_redirected(self):
        return bool(self.final_url) and self.final_url != self.url
