"""Admin for the site-wide building blocks: the controlled vocabularies."""

from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import EvidenceLevel, Population, ResourceType, Topic


class TopicViewSet(SnippetViewSet):
    model = Topic
    icon = "tag"
    list_display = ["name", "slug", "description"]
    search_fields = ["name", "description"]
    ordering = ["name"]


class PopulationViewSet(SnippetViewSet):
    model = Population
    icon = "group"
    list_display = ["name", "slug", "description"]
    search_fields = ["name", "description"]
    ordering = ["name"]


class ResourceTypeViewSet(SnippetViewSet):
    model = ResourceType
    icon = "doc-full"
    list_display = ["name", "slug", "schema_type"]
    ordering = ["name"]


class EvidenceLevelViewSet(SnippetViewSet):
    model = EvidenceLevel
    icon = "success"
    list_display = ["name", "rank", "is_rated", "description"]
    ordering = ["rank"]


class VocabularyGroup(SnippetViewSetGroup):
    menu_label = "Vocabularies"
    menu_icon = "list-ul"
    menu_order = 300
    items = (TopicViewSet, PopulationViewSet, ResourceTypeViewSet, EvidenceLevelViewSet)


register_snippet(VocabularyGroup)


@hooks.register("construct_homepage_panels")
def add_review_queue_panel(request, panels):
    from .review_panel import ReviewQueuePanel, is_reviewer

    if is_reviewer(request.user):
        panels.insert(0, ReviewQueuePanel(request.user))
