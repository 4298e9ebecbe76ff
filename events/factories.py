from datetime import timedelta

import factory
import wagtail_factories
from django.utils import timezone

from .models import EventIndexPage, EventPage, EventRegistration


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


class EventRegistrationFactory(factory.django.DjangoModelFactory):
    """A registration; ``created_at`` may be given (the model sets it to now on creation)."""

    name = factory.Sequence(lambda n: f"Person {n}")
    email = factory.LazyAttribute(lambda o: f"{o.name.lower().replace(' ', '.')}@example.org")
    consent = True

    class Meta:
        model = EventRegistration

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        created_at = kwargs.pop("created_at", None)
        registration = super()._create(model_class, *args, **kwargs)
        if created_at is not None:
            model_class.objects.filter(pk=registration.pk).update(created_at=created_at)
            registration.created_at = created_at
        return registration
