from datetime import timedelta

import factory
import wagtail_factories
from django.utils import timezone

from .models import EventIndexPage, EventPage


class EventIndexPageFactory(wagtail_factories.PageFactory):
    title = "Events"
    slug = "events"

    class Meta:
        model = EventIndexPage


class EventPageFactory(wagtail_factories.PageFactory):
    title = factory.Sequence(lambda n: f"Event {n}")
    summary = factory.LazyAttribute(lambda o: f"What {o.title} is about.")
    start = factory.LazyFunction(lambda: (timezone.now() + timedelta(days=7)).replace(microsecond=0))
    end = factory.LazyAttribute(lambda o: o.start + timedelta(hours=1))
    joining_link = "https://meet.example.org/cop-webinar"

    class Meta:
        model = EventPage
        skip_postgeneration_save = True

    @factory.post_generation
    def topics(self, create, extracted, **kwargs):
        if extracted:
            self.topics.set(extracted)
            self.save()
