"""Calendar files under event pages (Wagtail's own URLs cannot end in .ics)."""

from django.urls import re_path

from . import views

urlpatterns = [
    re_path(r"^(?P<path>(?:[\w\-]+/)*)feed\.ics$", views.events_feed, name="events-feed"),
    re_path(r"^(?P<path>(?:[\w\-]+/)+)calendar\.ics$", views.event_calendar, name="event-calendar"),
]
