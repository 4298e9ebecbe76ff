from datetime import timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import prefetch_related_objects
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject, cached_property
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, HelpPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable
from wagtail.search import index

from hub.blocks import RICH_TEXT_FEATURES, BaseStreamBlock, CallToActionBlock, VideoBlock
from hub.models import BasePage

from ..access import ACCESS_CHOICES, ACCESS_LABELS, CLOSED, OPEN, sync_view_restriction

WEBINAR = "webinar"
FORMAT_CHOICES = [
    (WEBINAR, "Webinar"),
    ("workshop", "Workshop"),
    ("training", "Training"),
    ("working-group-meeting", "Working-group meeting"),
    ("partner-meeting", "Closed partner meeting"),
]
FORMAT_LABELS = dict(FORMAT_CHOICES)

# Friendly names for the zones CoP members live in; any other IANA zone still works.
TIME_ZONE_CHOICES = [
    ("America/New_York", "Eastern time"),
    ("America/Chicago", "Central time"),
    ("America/Denver", "Mountain time"),
    ("America/Phoenix", "Arizona time"),
    ("America/Los_Angeles", "Pacific time"),
    ("America/Anchorage", "Alaska time"),
    ("Pacific/Honolulu", "Hawaii time"),
    ("America/Puerto_Rico", "Atlantic time (Puerto Rico)"),
    ("UTC", "Coordinated Universal Time (UTC)"),
]
TIME_ZONE_LABELS = dict(TIME_ZONE_CHOICES)

NO_REGISTRATION = "none"
BUILT_IN = "built-in"
EXTERNAL = "external"
REGISTRATION_CHOICES = [
    (NO_REGISTRATION, "No registration: people join with the joining link"),
    (BUILT_IN, "Registration on this page"),
    (EXTERNAL, "Registration on another website"),
]

# What a calendar copy of the event shows: a change to any of these is a new
# version of the event for calendar apps (its SEQUENCE goes up).
CALENDAR_FIELDS = ("title", "summary", "start", "end", "time_zone", "venue", "joining_link", "cancelled")


def _day(moment):
    return f"{moment:%A} {moment.day} {moment:%B %Y}"


def _clock(moment):
    hour = moment.hour % 12 or 12
    return f"{hour}:{moment:%M} {'am' if moment.hour < 12 else 'pm'}"


class AgendaItemBlock(blocks.StructBlock):
    time = blocks.TimeBlock(required=False, help_text="Start time of this item, in the event's time zone.")
    title = blocks.CharBlock(help_text="What happens, e.g. “Welcome and introductions”.")
    description = blocks.TextBlock(required=False)
    led_by = blocks.CharBlock(required=False, help_text="Who leads this item.")

    class Meta:
        icon = "time"
        template = "events/blocks/agenda_item.html"


class AgendaBlock(blocks.StreamBlock):
    item = AgendaItemBlock()


class EventCallToActionBlock(CallToActionBlock):
    """The hub's call to action, also taking a path on this site (e.g. /working-groups/)."""

    url = blocks.RegexBlock(
        regex=r"^(/|https?://)\S*$",
        required=False,
        error_messages={"invalid": "Enter a web address starting with https:// or a path starting with /."},
        help_text="Used when no page is chosen: a web address, or a path on this site "
        "such as /working-groups/.",
    )


class CallToActionStream(blocks.StreamBlock):
    call_to_action = EventCallToActionBlock()


class RecordingStream(blocks.StreamBlock):
    video = VideoBlock()


class EventPage(RoutablePageMixin, BasePage):
    """One webinar, workshop, training or meeting of the CoP: when and how to join,
    who speaks, the agenda and, afterwards, the recording, slides and transcript.
    Who may see and attend it is set with "Access": the page's privacy follows it."""

    search_type = "Event"
    # Search sorts events by their start and shows it with the time zone.
    search_date_field = "start"

    summary = models.TextField(
        help_text="Plain-language summary: what the event is about and who it is for. Required."
    )
    event_format = models.CharField(
        "format",
        max_length=30,
        choices=FORMAT_CHOICES,
        default=WEBINAR,
        db_index=True,
        help_text="What kind of event this is.",
    )
    start = models.DateTimeField(
        db_index=True,
        help_text="When it starts, in your account's time zone (or the hub's if you have not chosen one).",
    )
    end = models.DateTimeField(help_text="When it ends. Must be after the start.")
    time_zone = models.CharField(
        max_length=40,
        choices=TIME_ZONE_CHOICES,
        default="America/New_York",
        help_text="The time zone the event's times are shown in.",
    )
    joining_link = models.URLField(
        max_length=500,
        blank=True,
        help_text=(
            "The online meeting link (Zoom, Teams, ...). Shown only to people allowed to attend; with "
            "registration on this page it is e-mailed to registered people rather than shown on the page."
        ),
    )
    venue = models.TextField(
        blank=True, help_text="Where it takes place in person: name and address. Leave empty if online only."
    )
    access = models.CharField(
        max_length=20,
        choices=ACCESS_CHOICES,
        default=OPEN,
        db_index=True,
        help_text=(
            "Who may see and attend it. The page's privacy is set from this when the event is published: "
            "members-only and closed events are hidden from everyone outside their groups."
        ),
    )
    series = models.ForeignKey(
        "events.EventSeries",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
        help_text="The series it belongs to, e.g. “Monthly learning sessions”.",
    )
    topics = ParentalManyToManyField(
        "hub.Topic", blank=True, related_name="events", help_text="The topics it covers."
    )
    agenda = StreamField(AgendaBlock(), blank=True, help_text="The programme, item by item.")
    body = StreamField(BaseStreamBlock(), blank=True, help_text="More about the event.")
    call_to_action = StreamField(
        CallToActionStream(),
        blank=True,
        max_num=1,
        help_text="What you want people to do, e.g. join a working group.",
    )
    registration = models.CharField(
        max_length=20,
        choices=REGISTRATION_CHOICES,
        default=BUILT_IN,
        help_text="How people sign up.",
    )
    external_registration_url = models.URLField(
        max_length=500, blank=True, help_text="The sign-up page, when registration is on another website."
    )
    capacity = models.PositiveIntegerField(
        null=True, blank=True, help_text="How many places there are. Leave empty for no limit."
    )
    waitlist = models.BooleanField(
        default=True, help_text="When the event is full, offer a place on the waiting list."
    )
    cancelled = models.BooleanField(
        default=False,
        help_text="Tick if the event will not take place. It stays listed, marked as cancelled, "
        "and calendars that subscribed to it remove it.",
    )
    calendar_sequence = models.PositiveIntegerField(
        default=0, editable=False, help_text="Version of the event for calendar apps."
    )
    # After the event.
    recording = StreamField(
        RecordingStream(), blank=True, max_num=1, help_text="The recording, once it is available."
    )
    slides = models.ForeignKey(
        "wagtaildocs.Document",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The slides, as a document.",
    )
    transcript = RichTextField(
        features=RICH_TEXT_FEATURES, blank=True, help_text="Transcript or summary of what was said."
    )
    captions = models.ForeignKey(
        "wagtaildocs.Document",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Captions file (WebVTT or SRT) of the recording, for download.",
    )
    follow_up_survey_url = models.URLField(
        max_length=500, blank=True, help_text="Link to the survey asking attendees what they thought."
    )

    content_panels = BasePage.content_panels + [
        FieldPanel("summary"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("event_format"), FieldPanel("series")]),
                FieldPanel("topics", widget=forms.CheckboxSelectMultiple),
            ],
            heading="What it is",
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("start"), FieldPanel("end")]),
                FieldPanel("time_zone"),
                FieldPanel("joining_link"),
                FieldPanel("venue"),
                FieldPanel("cancelled"),
            ],
            heading="When and where",
        ),
        MultiFieldPanel(
            [
                HelpPanel(
                    content="<p>Members only: Members, CMHC staff and Partners. Closed meetings are seen "
                    "only "
                    "by their group. The page's privacy setting is replaced by this when you publish.</p>"
                ),
                FieldPanel("access", widget=forms.RadioSelect),
            ],
            heading="Access",
        ),
        MultiFieldPanel(
            [
                FieldPanel("registration", widget=forms.RadioSelect),
                FieldPanel("external_registration_url"),
                FieldRowPanel([FieldPanel("capacity"), FieldPanel("waitlist")]),
            ],
            heading="Registration",
        ),
        InlinePanel("speakers", label="Speaker or moderator"),
        FieldPanel("agenda"),
        FieldPanel("body"),
        FieldPanel("call_to_action"),
        MultiFieldPanel(
            [
                FieldPanel("recording"),
                FieldRowPanel([FieldPanel("slides"), FieldPanel("captions")]),
                FieldPanel("transcript"),
                FieldPanel("follow_up_survey_url"),
                InlinePanel("related_resources", label="Related resource"),
            ],
            heading="After the event",
        ),
    ]

    search_fields = BasePage.search_fields + [
        index.SearchField("summary", boost=3),
        index.SearchField("topic_names", boost=3),
        index.SearchField("speaker_names", boost=2),
        index.SearchField("series_name", boost=1.5),
        index.SearchField("format_label"),
        index.SearchField("agenda"),
        index.SearchField("body"),
        index.SearchField("transcript"),
        index.AutocompleteField("title"),
        index.FilterField("event_format"),
        index.FilterField("start"),
        index.FilterField("access"),
        index.FilterField("cancelled"),
    ]

    parent_page_types = ["events.EventIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = "event"
        ordering = ["start"]

    # --- search -----------------------------------------------------------

    @classmethod
    def get_indexed_objects(cls):
        return super().get_indexed_objects().select_related("series").prefetch_related("topics", "speakers")

    def topic_names(self):
        return self.related_names("topics")

    def speaker_names(self):
        return self.related_names("speakers")

    def series_name(self):
        return self.series.name if self.series_id else ""

    def format_label(self):
        return FORMAT_LABELS.get(self.event_format, "")

    @property
    def search_date(self):
        return self.local_start.date() if self.start else None

    # --- editing ------------------------------------------------------------

    def clean(self):
        super().clean()
        errors = {}
        if self.start and self.end and self.end <= self.start:
            errors["end"] = "The end must be after the start."
        if self.registration == EXTERNAL and not self.external_registration_url:
            errors["external_registration_url"] = "Enter the address of the registration page."
        if self.time_zone:
            try:
                ZoneInfo(self.time_zone)
            except (KeyError, ValueError):
                errors["time_zone"] = "Choose a time zone from the list."
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        full_save = kwargs.get("update_fields") is None
        if full_save:
            # What this save changed of the live version, for the people
            # registered (events/changes.py hears of it when it is published).
            self.calendar_changes, self.calendar_before = frozenset(), {}
        if full_save and self.pk:
            # The page row holds the live version: a change calendar apps must
            # hear about is a new SEQUENCE (revisions may carry a stale one).
            previous = (
                type(self).objects.filter(pk=self.pk).values(*CALENDAR_FIELDS, "calendar_sequence").first()
            )
            if previous is not None:
                changes = frozenset(name for name in CALENDAR_FIELDS if previous[name] != getattr(self, name))
                self.calendar_sequence = previous["calendar_sequence"] + (1 if changes else 0)
                self.calendar_changes, self.calendar_before = changes, previous
        super().save(*args, **kwargs)
        if full_save:
            sync_view_restriction(self)
            # The restriction just set changes who the event is for.
            self.audience = type(self).objects.filter(pk=self.pk).values_list("audience", flat=True).first()

    # --- reading --------------------------------------------------------------

    @cached_property
    def zone(self):
        try:
            return ZoneInfo(self.time_zone or settings.TIME_ZONE)
        except (KeyError, ValueError):
            return ZoneInfo(settings.TIME_ZONE)

    @property
    def local_start(self):
        return self.start.astimezone(self.zone)

    @property
    def local_end(self):
        return self.end.astimezone(self.zone)

    @property
    def time_zone_label(self):
        """e.g. “Eastern time (EDT)”: the zone's name and its abbreviation on the day."""
        name = TIME_ZONE_LABELS.get(self.time_zone, self.time_zone)
        abbreviation = self.local_start.tzname()
        return f"{name} ({abbreviation})" if abbreviation and abbreviation not in name else name

    @property
    def date_label(self):
        """e.g. “Tuesday 12 May 2026”, or a range when the event runs over several days."""
        start, end = self.local_start, self.local_end
        if start.date() == end.date():
            return _day(start)
        return f"{_day(start)} to {_day(end)}"

    @property
    def time_label(self):
        """e.g. “1:00 pm to 2:30 pm Eastern time (EDT)”."""
        return f"{_clock(self.local_start)} to {_clock(self.local_end)} {self.time_zone_label}"

    @property
    def when_label(self):
        return f"{self.date_label}, {self.time_label}"

    @property
    def search_date_label(self):
        return self.when_label if self.start else ""

    card_summary_field = "summary"

    @property
    def meta_description(self):
        return self.search_description or self.listing_summary or self.summary[:300]

    @property
    def format_name(self):
        return FORMAT_LABELS.get(self.event_format, "Event")

    @property
    def access_label(self):
        return ACCESS_LABELS.get(self.access, "")

    @property
    def is_closed_meeting(self):
        return self.access in CLOSED

    @property
    def is_restricted(self):
        return self.access != OPEN

    def is_past(self, now=None):
        return self.end <= (now or timezone.now())

    def is_happening(self, now=None):
        now = now or timezone.now()
        return self.start <= now < self.end

    @property
    def has_finished(self):
        return self.is_past()

    @property
    def has_started(self):
        return self.start <= timezone.now()

    @property
    def registration_closes_at(self):
        return self.start

    def registration_is_open(self, now=None):
        return (
            self.registration == BUILT_IN
            and not self.cancelled
            and (now or timezone.now()) < self.registration_closes_at
        )

    @property
    def uses_built_in_registration(self):
        return self.registration == BUILT_IN

    @property
    def shows_joining_link_on_page(self):
        """Without built-in registration, everyone who may see the page may join;
        with it, the link goes to registered people by e-mail."""
        return bool(self.joining_link) and self.registration == NO_REGISTRATION and not self.cancelled

    @property
    def is_online(self):
        return bool(self.joining_link) or not self.venue

    def confirmed_count(self):
        return self.registrations.filter(status="confirmed").count()

    def places_left(self):
        if self.capacity is None:
            return None
        return max(0, self.capacity - self.confirmed_count())

    @property
    def duration(self):
        return self.end - self.start if self.start and self.end else timedelta(0)

    def prepare_for_display(self):
        """Everything the page shows in a fixed number of queries, however many
        speakers, topics or related resources it has."""
        if getattr(self, "_prepared_for_display", False):
            return
        self._prepared_for_display = True
        prefetch_related_objects([self], "topics", "speakers", "related_resources__resource")
        if self.series_id:
            prefetch_related_objects([self], "series")

    def visible_related_resources(self, request):
        from hub.privacy import visible_pages
        from knowledge.models import ResourcePage

        self.prepare_for_display()
        ids = [item.resource_id for item in self.related_resources.all()]
        if not ids:
            return []
        pages = visible_pages(ResourcePage.objects.filter(pk__in=ids), request).in_bulk()
        return [pages[pk] for pk in ids if pk in pages]

    def calendar_url(self):
        return self.url.rstrip("/") + "/calendar.ics" if self.url else ""

    def register_url(self):
        return self.url + self.reverse_subpage("register_view") if self.url else ""

    # --- serving ----------------------------------------------------------------

    @path("")
    def event_view(self, request):
        from ..calendar import add_to_calendar_links

        # Lazy: when the page's fragment is cached, none of this is computed.
        context = self.get_context(request)
        context["calendar_links"] = SimpleLazyObject(lambda: add_to_calendar_links(self, request))
        context["related_resources"] = SimpleLazyObject(lambda: self.visible_related_resources(request))
        response = TemplateResponse(request, self.get_template(request), context)
        # The page shows nothing personal (no form, no counts): the anonymous cache may keep it.
        response.hub_page_cacheable = True
        return response

    @path("register/")
    def register_view(self, request):
        from ..registration import register

        return register(self, request)

    @path("register/done/")
    def registered_view(self, request):
        from ..registration import registered

        return registered(self, request)

    @path("register/calendar/")
    def registered_calendar_view(self, request):
        from ..registration import registered_calendar

        return registered_calendar(self, request)

    # A person's own registration (events/own_registration.py): a member's,
    # signed in, by its id; anyone's through the signed link in their e-mails.
    # ``step`` is "" (the registration's page), "cancel" or "cancelled".
    @path("register/<int:registration_id>/", name="registration_view")
    @path("register/<int:registration_id>/<slug:step>/", name="registration_step_view")
    def own_registration_view(self, request, registration_id, step=""):
        from ..own_registration import member_page

        return member_page(self, request, registration_id, step)

    @path("register/link/<int:registration_id>/<slug:signature>/", name="registration_link_view")
    @path(
        "register/link/<int:registration_id>/<slug:signature>/<slug:step>/",
        name="registration_link_step_view",
    )
    def registration_link_view(self, request, registration_id, signature, step=""):
        from ..own_registration import link_page

        return link_page(self, request, registration_id, signature, step)


class EventSpeaker(Orderable):
    SPEAKER = "speaker"
    MODERATOR = "moderator"
    ROLE_CHOICES = [(SPEAKER, "Speaker"), (MODERATOR, "Moderator")]

    page = ParentalKey(EventPage, on_delete=models.CASCADE, related_name="speakers")
    name = models.CharField(max_length=255, help_text="Their name as they like it written.")
    role = models.CharField(max_length=20, choices=ROLE_CHOICES, default=SPEAKER)
    job_title = models.CharField(max_length=255, blank=True, help_text="e.g. Chief Executive Officer.")
    organisation = models.CharField(max_length=255, blank=True, help_text="Where they work.")
    bio = models.TextField(blank=True, help_text="Two or three sentences about them.")

    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("role")]),
        FieldRowPanel([FieldPanel("job_title"), FieldPanel("organisation")]),
        FieldPanel("bio"),
    ]

    def __str__(self):
        return self.name


class EventRelatedResource(Orderable):
    page = ParentalKey(EventPage, on_delete=models.CASCADE, related_name="related_resources")
    resource = models.ForeignKey(
        "knowledge.ResourcePage",
        on_delete=models.CASCADE,
        related_name="+",
        help_text="A resource from the library that goes with this event.",
    )

    panels = [FieldPanel("resource")]
