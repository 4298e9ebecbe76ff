"""Working groups: the listing, each group's page, and who belongs to which group.

A group's page is public; its member list, members-only notes and documents
are rendered only for the group's approved members (``WorkingGroupPage.is_member``),
never cached for anyone else (see ``WorkingGroupPage.serve``) and never indexed
for search.
"""

import datetime

from django import forms
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.cache import patch_cache_control
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel, PageChooserPanel
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page
from wagtail.search import index

from hub.models import BasePage
from hub.privacy import visible_pages

GOALS_FEATURES = ["bold", "italic", "ol", "ul", "link"]
NOTES_FEATURES = ["h3", "h4", "bold", "italic", "ol", "ul", "link", "document-link"]


class WorkingGroupIndexPage(BasePage):
    """The list of the CoP's working groups (demo: /working-groups/)."""

    introduction = models.TextField(
        blank=True, help_text="A sentence or two above the list on what working groups are and who can join."
    )

    content_panels = BasePage.content_panels + [FieldPanel("introduction")]
    search_fields = BasePage.search_fields + [index.SearchField("introduction")]

    parent_page_types = ["home.HomePage"]
    subpage_types = ["community.WorkingGroupPage"]

    class Meta:
        verbose_name = "working group index"

    def groups(self, request):
        return list(
            visible_pages(WorkingGroupPage.objects.child_of(self), request)
            .order_by("path")
            .prefetch_related("topics")
        )

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["working_groups"] = self.groups(request)
        return context


class WorkingGroupPage(BasePage):
    """One working group: why it exists, what it does, when it meets and what it
    has produced. Signed-in members ask to join here; the group's approved
    members also see its member list, members-only notes and documents."""

    search_type = "Working group"

    purpose = models.TextField(help_text="What the group is for, in one or two plain-language sentences.")
    gap_addressed = models.TextField(
        "the gap it addresses",
        blank=True,
        help_text="The gap in equitable mental health care this group works on.",
    )
    goals = RichTextField(features=GOALS_FEATURES, blank=True, help_text="What the group aims to achieve.")
    meeting_cadence = models.CharField(
        max_length=200,
        blank=True,
        help_text="How often and how the group meets, e.g. “Monthly, second Tuesday, online”.",
    )
    topics = ParentalManyToManyField(
        "hub.Topic", blank=True, related_name="working_groups", help_text="The topics the group works on."
    )
    accepts_requests = models.BooleanField(
        "open to new members",
        default=True,
        help_text="Whether signed-in members may ask to join. Untick while the group is full or closing.",
    )
    members_notes = RichTextField(
        "members-only notes",
        features=NOTES_FEATURES,
        blank=True,
        help_text="Shown only to the group's approved members: meeting notes, drafts, contact details.",
    )

    content_panels = BasePage.content_panels + [
        FieldPanel("purpose"),
        FieldPanel("gap_addressed"),
        FieldPanel("goals"),
        FieldPanel("topics", widget=forms.CheckboxSelectMultiple),
        MultiFieldPanel(
            [
                InlinePanel("chairs", label="Chair"),
                FieldPanel("meeting_cadence"),
                FieldPanel("accepts_requests"),
            ],
            heading="People and meetings",
        ),
        InlinePanel("outputs", label="Output", help_text="Resources the group has produced, in the library."),
        InlinePanel(
            "meetings",
            label="Meeting",
            help_text="Event pages of the group's meetings. Past events drop off the page by themselves.",
        ),
        MultiFieldPanel(
            [FieldPanel("members_notes"), InlinePanel("members_documents", label="Members-only document")],
            heading="For the group's members only",
        ),
    ]

    # The members-only notes and documents are deliberately not indexed.
    search_fields = BasePage.search_fields + [
        index.SearchField("purpose", boost=2),
        index.SearchField("gap_addressed"),
        index.SearchField("goals"),
        index.SearchField("topic_names", boost=3),
        index.SearchField("chair_names"),
        index.AutocompleteField("title"),
    ]

    parent_page_types = ["community.WorkingGroupIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = "working group"

    @classmethod
    def get_indexed_objects(cls):
        return super().get_indexed_objects().prefetch_related("topics", "chairs")

    def topic_names(self):
        return self.related_names("topics")

    def chair_names(self):
        return self.related_names("chairs")

    @property
    def search_date(self):
        """A group has no date of its own: results show when it was last updated."""
        stamp = self.last_published_at or self.latest_revision_created_at
        return timezone.localdate(stamp) if stamp else None

    card_summary_field = "purpose"

    # --- membership ----------------------------------------------------------

    def membership_for(self, user):
        if not (user and user.is_authenticated):
            return None
        return self.memberships.filter(user=user).first()

    def is_member(self, user):
        """Approved members (and site administrators) see the members-only part."""
        if not (user and user.is_authenticated and user.is_active):
            return False
        if user.is_superuser:
            return True
        return self.memberships.filter(user=user, status=WorkingGroupMembership.APPROVED).exists()

    @classmethod
    def members_among(cls, group_ids, users):
        """{group id: ids of the ``users`` that ``is_member`` lets into that group's
        members-only part}, for many groups and people in one query (the news digest)."""
        approved = {}
        rows = WorkingGroupMembership.objects.filter(
            working_group_id__in=group_ids, status=WorkingGroupMembership.APPROVED
        ).values_list("working_group_id", "user_id")
        for group_id, user_id in rows:
            approved.setdefault(group_id, set()).add(user_id)
        return {
            group_id: {
                user.pk
                for user in users
                if user.is_active and (user.is_superuser or user.pk in approved.get(group_id, ()))
            }
            for group_id in group_ids
        }

    def approved_memberships(self):
        return (
            self.memberships.filter(status=WorkingGroupMembership.APPROVED, user__is_active=True)
            .select_related("user", "user__member_profile")
            .order_by("user__first_name", "user__last_name", "user__username")
        )

    # --- linked pages --------------------------------------------------------

    def _linked(self, relation, field, request):
        ids = [getattr(item, f"{field}_id") for item in getattr(self, relation).all()]
        ids = [pk for pk in ids if pk]
        if not ids:
            return []
        pages = visible_pages(Page.objects.filter(pk__in=ids), request).specific().in_bulk()
        return [pages[pk] for pk in dict.fromkeys(ids) if pk in pages]

    def outputs_for(self, request):
        return self._linked("outputs", "resource", request)

    def upcoming_meetings_for(self, request):
        """Linked meeting pages the reader may see, leaving out those already past.

        An event page tells its date through ``search_date`` (the search contract
        every page type follows); a linked page without one is always shown."""
        today = timezone.localdate()
        upcoming = []
        for page in self._linked("meetings", "meeting", request):
            when = getattr(page, "search_date", None)
            if isinstance(when, datetime.datetime):
                when = timezone.localdate(when) if timezone.is_aware(when) else when.date()
            if when is None or when >= today:
                upcoming.append(page)
        return upcoming

    # --- serving -------------------------------------------------------------

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        user = request.user
        is_member = self.is_member(user)
        context.update(
            outputs=self.outputs_for(request),
            upcoming_meetings=self.upcoming_meetings_for(request),
            chairs=list(self.chairs.all()),
            membership=self.membership_for(user),
            is_group_member=is_member,
        )
        if is_member:
            context["group_members"] = list(self.approved_memberships())
            context["members_documents"] = list(self.members_documents.select_related("document"))
        return context

    def serve(self, request, *args, **kwargs):
        response = super().serve(request, *args, **kwargs)
        if request.user.is_authenticated:
            # What a signed-in person sees depends on their membership: no shared
            # cache (the anonymous page cache, a CDN, a proxy) may keep it.
            response.hub_page_cacheable = False
            patch_cache_control(response, private=True, no_store=True)
        return response


class WorkingGroupChair(Orderable):
    page = ParentalKey(WorkingGroupPage, on_delete=models.CASCADE, related_name="chairs")
    name = models.CharField(max_length=200, help_text="The chair's name as the public sees it.")
    organisation = models.CharField(max_length=200, blank=True, help_text="Their organisation.")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="chaired_working_groups",
        help_text="The chair's account, if any: chairs with admin access approve requests to join the group.",
    )

    panels = [FieldPanel("name"), FieldPanel("organisation"), FieldPanel("user")]

    def __str__(self):
        return self.name


class WorkingGroupOutput(Orderable):
    page = ParentalKey(WorkingGroupPage, on_delete=models.CASCADE, related_name="outputs")
    resource = models.ForeignKey(
        "wagtailcore.Page",
        on_delete=models.CASCADE,
        related_name="+",
        help_text="A resource in the library that the group produced.",
    )

    panels = [PageChooserPanel("resource", page_type="knowledge.ResourcePage")]


class WorkingGroupMeeting(Orderable):
    """A link to the event page of one of the group's meetings (often a closed
    meeting). Past events leave the group's page by themselves (``search_date``)."""

    page = ParentalKey(WorkingGroupPage, on_delete=models.CASCADE, related_name="meetings")
    meeting = models.ForeignKey(
        "wagtailcore.Page",
        on_delete=models.CASCADE,
        related_name="+",
        help_text="The event page of a meeting of this group.",
    )

    panels = [PageChooserPanel("meeting", page_type="events.EventPage")]


class WorkingGroupDocument(Orderable):
    page = ParentalKey(WorkingGroupPage, on_delete=models.CASCADE, related_name="members_documents")
    document = models.ForeignKey(
        "wagtaildocs.Document",
        on_delete=models.CASCADE,
        related_name="+",
        help_text=(
            "Keep members-only documents in a collection restricted to members, so the document's "
            "own address is private too."
        ),
    )
    title = models.CharField(
        max_length=255, blank=True, help_text="Link text; the document's title by default."
    )

    panels = [FieldPanel("document"), FieldPanel("title")]

    @property
    def label(self):
        return self.title or self.document.title


class WorkingGroupMembership(models.Model):
    """A person's place in a working group: asked for, then approved or declined
    by the group's chairs or the editors in the admin."""

    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"
    STATUS_CHOICES = [(PENDING, "Waiting for a decision"), (APPROVED, "Approved"), (DECLINED, "Declined")]

    working_group = models.ForeignKey(WorkingGroupPage, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="working_group_memberships"
    )
    status = models.CharField(max_length=20, choices=STATUS_CHOICES, default=PENDING, db_index=True)
    message = models.TextField(blank=True, help_text="What the person said when asking to join.")
    requested_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    email_problem = models.TextField(
        blank=True, help_text="Set when the e-mail about the decision could not be sent; shown to staff."
    )

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = "working group membership"
        constraints = [
            models.UniqueConstraint(
                fields=["working_group", "user"], name="one_membership_per_group_and_person"
            )
        ]

    def __str__(self):
        return f"{self.member_name} in {self.working_group.title} ({self.get_status_display().lower()})"

    @property
    def member_name(self):
        return self.user.get_full_name() or self.user.username
