from django.db import models
from django.template.response import TemplateResponse
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.search import index

from hub.models import BasePage


class EventIndexPage(RoutablePageMixin, BasePage):
    """The CoP's events: upcoming webinars, trainings and meetings first, the
    archive of past events with their recordings, and the schedule by month.
    Members-only and closed events appear only to people allowed to attend."""

    introduction = models.TextField(
        blank=True, help_text="A sentence or two above the listing on what the events are for."
    )

    content_panels = BasePage.content_panels + [FieldPanel("introduction")]
    search_fields = BasePage.search_fields + [index.SearchField("introduction")]

    parent_page_types = ["home.HomePage"]
    subpage_types = ["events.EventPage"]

    class Meta:
        verbose_name = "events page"

    def listing_response(self, request, mode):
        from ..listing import EventListing

        context = self.get_context(request)
        context["listing"] = EventListing(self, request, mode)
        context["mode"] = mode
        response = TemplateResponse(request, self.get_template(request), context)
        response.hub_page_cacheable = True
        return response

    @path("")
    def upcoming_view(self, request):
        return self.listing_response(request, "upcoming")

    @path("past/")
    def past_view(self, request):
        return self.listing_response(request, "past")

    @path("schedule/")
    def schedule_view(self, request):
        return self.listing_response(request, "schedule")

    def feed_url(self):
        return self.url + "feed.ics" if self.url else ""
