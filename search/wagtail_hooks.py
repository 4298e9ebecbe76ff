from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Synonym


class SynonymViewSet(SnippetViewSet):
    model = Synonym
    icon = "link"
    menu_label = "Search synonyms"
    add_to_admin_menu = False
    list_display = ["terms", "note"]
    search_fields = ["terms", "note"]


register_snippet(SynonymViewSet)
