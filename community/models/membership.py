"""Membership of the CoP: applications to join, and the profile of each member.

An application is what a visitor sends from the join page. Staff approve or
decline it in the admin (community/applications.py does the work); approval
creates or activates the person's account and gives them a profile.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from wagtail.admin.panels import FieldPanel, PageChooserPanel
from wagtail.fields import RichTextField
from wagtail.search import index

from hub.models import BasePage

ORGANISATION_TYPES = [
    ("cmhc", "Community Mental Health Center (CMHC)"),
    ("research", "Research institution"),
    ("partner", "Partner organisation"),
    ("other", "Other"),
]

# The groups an approved member joins, by organisation type. Everyone joins
# Members; research institutions and others have no group of their own.
GROUPS_BY_ORGANISATION_TYPE = {
    "cmhc": ["Members", "CMHC staff"],
    "partner": ["Members", "Partners"],
    "research": ["Members"],
    "other": ["Members"],
}


class MembershipApplication(models.Model):
    """One person's request to join the Community of Practice, from the join page."""

    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"
    STATUS_CHOICES = [(PENDING, "Waiting for a decision"), (APPROVED, "Approved"), (DECLINED, "Declined")]

    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField("e-mail", max_length=254, blank=True, db_index=True)
    organisation = models.CharField(max_length=200, blank=True)
    organisation_type = models.CharField(max_length=20, choices=ORGANISATION_TYPES)
    role = models.CharField(max_length=200, blank=True)
    region = models.CharField("state or region", max_length=120, blank=True)
    topics = models.ManyToManyField("hub.Topic", blank=True, related_name="+")
    working_groups = models.ManyToManyField(
        "community.WorkingGroupPage", blank=True, related_name="applications"
    )
    consented_at = models.DateTimeField(
        null=True, help_text="When the applicant agreed to the privacy notice."
    )
    status = models.CharField(max_length=20, choices=STATUS_CHOICES, default=PENDING, db_index=True)
    submitted_at = models.DateTimeField(default=timezone.now, db_index=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_message = models.TextField(
        blank=True, help_text="A personal note from staff, included in the e-mail about the decision."
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="membership_applications",
        help_text="The account this application created or activated.",
    )
    email_problem = models.TextField(
        blank=True,
        help_text="Set when an e-mail about this application could not be sent; shown to staff.",
    )

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = "membership application"

    def __str__(self):
        return f"{self.name or 'Closed account'} ({self.get_status_display().lower()})"

    @property
    def is_pending(self):
        return self.status == self.PENDING

    def topic_names(self):
        return "; ".join(topic.name for topic in self.topics.all())

    def working_group_names(self):
        return "; ".join(group.title for group in self.working_groups.all())

    def group_names(self):
        return GROUPS_BY_ORGANISATION_TYPE.get(self.organisation_type, ["Members"])

    def note_email_problem(self, what, error):
        """Remember a failed e-mail for staff; the application itself is already saved."""
        stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M")
        line = f"{stamp}: {what} could not be sent ({error.__class__.__name__}: {error})."
        self.email_problem = f"{self.email_problem}\n{line}".strip()
        MembershipApplication.objects.filter(pk=self.pk).update(email_problem=self.email_problem)


class MemberProfile(models.Model):
    """What a member tells the CoP about themselves, edited on their profile page."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="member_profile"
    )
    organisation = models.CharField(max_length=200, blank=True)
    organisation_type = models.CharField(max_length=20, choices=ORGANISATION_TYPES, blank=True)
    role = models.CharField(max_length=200, blank=True)
    region = models.CharField("state or region", max_length=120, blank=True)
    topics = models.ManyToManyField("hub.Topic", blank=True, related_name="+")
    email_news = models.BooleanField(
        "news and upcoming events", default=True, help_text="The CoP's news and invitations to events."
    )
    email_working_groups = models.BooleanField(
        "working group updates", default=True, help_text="Meeting notices from the working groups you are in."
    )
    # What the member follows, besides ``topics`` (chosen when they joined,
    # followed from then on): their My hub and digest show what is new in each.
    followed_groups = models.ManyToManyField(
        "community.WorkingGroupPage",
        blank=True,
        related_name="followers",
        verbose_name="working groups followed",
    )
    followed_partners = models.ManyToManyField(
        "community.PartnerCommunityPage",
        blank=True,
        related_name="followers",
        verbose_name="partner communities followed",
    )
    DIGEST_DAILY, DIGEST_WEEKLY, DIGEST_MONTHLY, DIGEST_NEVER = "daily", "weekly", "monthly", "never"
    DIGEST_CHOICES = [
        (DIGEST_DAILY, "Every day"),
        (DIGEST_WEEKLY, "Every week"),
        (DIGEST_MONTHLY, "Every month"),
        (DIGEST_NEVER, "Never"),
    ]
    digest_frequency = models.CharField(
        "news digest",
        max_length=10,
        choices=DIGEST_CHOICES,
        default=DIGEST_WEEKLY,
        help_text="How often we e-mail you what is new in the topics, groups and partners you follow.",
    )
    # The digest's watermark (community/digest): news after it goes in the next one.
    digest_sent_at = models.DateTimeField(
        "last news digest sent", null=True, blank=True, editable=False, db_index=True
    )

    class Meta:
        verbose_name = "member profile"

    def __str__(self):
        return f"Profile of {self.user}"


class JoinPage(BasePage):
    """The form to join the Community of Practice (demo: /join/). Each form sent
    becomes a membership application that staff approve or decline in the admin
    under "Membership applications"."""

    introduction = RichTextField(
        features=["bold", "italic", "ul", "link"],
        blank=True,
        help_text="Who can join, what members get, and what happens after applying.",
    )
    privacy_page = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The privacy notice applicants agree to. The consent box links to it.",
    )
    confirmation_text = models.TextField(
        default=(
            "Thank you for applying to join the Community of Practice. We have e-mailed you a copy. "
            "The steering team reviews applications every week; we will write to you with their decision."
        ),
        help_text="What applicants read after sending the form.",
    )

    content_panels = BasePage.content_panels + [
        FieldPanel("introduction"),
        PageChooserPanel("privacy_page"),
        FieldPanel("confirmation_text"),
    ]
    search_fields = BasePage.search_fields + [index.SearchField("introduction")]

    parent_page_types = ["home.HomePage"]
    subpage_types = []
    max_count = 1

    class Meta:
        verbose_name = "join page"

    def serve(self, request, *args, **kwargs):
        from community.joining import serve_join_page

        response = serve_join_page(self, request)
        # The form is personal (CSRF token, what was typed): never kept by a
        # browser or proxy. The hub's own shared copy of the empty form holds
        # neither, its token being a personal part (hub/personal.py).
        add_never_cache_headers(response)
        response.hub_page_cacheable = request.method in ("GET", "HEAD")
        response.hub_personal_parts_only = True
        return response
