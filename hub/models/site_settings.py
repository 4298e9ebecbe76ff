from django.db import models
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.models import Orderable


@register_setting(icon="cog")
class HubSettings(ClusterableModel, BaseSiteSetting):
    """Contact details and calls to action shown on every page of the site."""

    community_name = models.CharField(
        max_length=120,
        default="Equitable Mental Health Care Community of Practice",
        help_text="The CoP's full name, shown in the header and footer.",
    )
    tagline = models.CharField(
        max_length=200,
        blank=True,
        help_text="One line under the name, e.g. what the CoP works towards.",
    )
    contact_email = models.EmailField(blank=True, help_text="Where people write to the CoP.")
    contact_address = models.TextField(blank=True, help_text="Postal address, if any.")
    join_page = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Page the 'Join the CoP' buttons lead to.",
    )
    join_text = models.CharField(
        max_length=200,
        default="Join the Community of Practice",
        help_text="Text of the join button in the footer and on the home page.",
    )
    join_email = models.EmailField(
        blank=True,
        help_text="Used for the join button when no join page is chosen.",
    )

    panels = [
        MultiFieldPanel([FieldPanel("community_name"), FieldPanel("tagline")], heading="Identity"),
        MultiFieldPanel([FieldPanel("contact_email"), FieldPanel("contact_address")], heading="Contact"),
        MultiFieldPanel(
            [FieldPanel("join_page"), FieldPanel("join_text"), FieldPanel("join_email")],
            heading="Join call to action",
        ),
        InlinePanel("footer_links", label="Footer links"),
    ]

    class Meta:
        verbose_name = "hub settings"
        # Site-wide admin abilities, granted to groups in hub/migrations (hub/roles.py).
        permissions = [("view_review_queue", "Can see what waits for review on the admin dashboard")]

    @property
    def join_url(self):
        if self.join_page_id and self.join_page.live:
            return self.join_page.url
        if self.join_email:
            return f"mailto:{self.join_email}?subject=Joining%20the%20CoP"
        return ""


class FooterLink(Orderable):
    settings = ParentalKey(HubSettings, on_delete=models.CASCADE, related_name="footer_links")
    label = models.CharField(max_length=80, help_text="Link text.")
    page = models.ForeignKey(
        "wagtailcore.Page", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    url = models.URLField(blank=True, help_text="Used when no page is chosen.")

    panels = [FieldPanel("label"), FieldPanel("page"), FieldPanel("url")]

    @property
    def href(self):
        return self.page.url if self.page_id else self.url
