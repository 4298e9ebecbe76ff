import factory
import wagtail_factories

from .models import JoinPage, WorkingGroupIndexPage, WorkingGroupPage


class JoinPageFactory(wagtail_factories.PageFactory):
    title = "Join the Community of Practice"
    slug = "join"

    class Meta:
        model = JoinPage


class WorkingGroupIndexPageFactory(wagtail_factories.PageFactory):
    title = "Working groups"
    slug = "working-groups"

    class Meta:
        model = WorkingGroupIndexPage


class WorkingGroupPageFactory(wagtail_factories.PageFactory):
    title = factory.Sequence(lambda n: f"Working group {n}")
    purpose = factory.LazyAttribute(lambda o: f"What {o.title} is for.")
    meeting_cadence = "Monthly, online"
    members_notes = "<p>Members-only notes: the draft is in the shared folder.</p>"

    class Meta:
        model = WorkingGroupPage
        skip_postgeneration_save = True

    @factory.post_generation
    def topics(self, create, extracted, **kwargs):
        if extracted:
            self.topics.set(extracted)
            self.save()
