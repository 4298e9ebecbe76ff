import pytest
from django.test import Client
from wagtail.models import Page, PageViewRestriction
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from community.models import CommunityIndexPage, JoinPage, WorkingGroupIndexPage
from events.models import EventIndexPage
from home.factories import StandardPageFactory
from home.models import HomePage, HomePageFeaturedItem, StandardPage
from knowledge.models import ResourceIndexPage

pytestmark = pytest.mark.django_db


def test_home_page_shows_the_mission_in_one_h1(client, home_page):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert home_page.mission_heading in html
    assert "Community Mental Health Center leaders" in html


def test_featured_section_is_hidden_when_nothing_is_featured(client):
    assert "Featured resources" not in client.get("/").content.decode()


def test_featured_section_shows_only_live_public_pages_in_editor_order(client, home_page):
    public_b = StandardPageFactory(parent=home_page, title="Bravo guide", slug="bravo")
    public_a = StandardPageFactory(parent=home_page, title="Alpha toolkit", slug="alpha")
    draft = StandardPageFactory(parent=home_page, title="Draft secret", slug="draft", live=False)
    private = StandardPageFactory(parent=home_page, title="Members secret", slug="private")
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)
    for order, page in enumerate([public_b, draft, private, public_a]):
        HomePageFeaturedItem.objects.create(home_page=home_page, page=page, sort_order=order)
    html = client.get("/").content.decode()
    assert "Featured resources" in html
    assert html.index("Bravo guide") < html.index("Alpha toolkit")
    assert "Draft secret" not in html
    assert "Members secret" not in html


def test_navigation_is_built_from_the_page_tree(client, home_page):
    StandardPageFactory(parent=home_page, title="In the menu", slug="menu", show_in_menus=True)
    StandardPageFactory(parent=home_page, title="Not in the menu", slug="hidden", show_in_menus=False)
    html = client.get("/").content.decode()
    nav = html[html.index('aria-label="Main"') :]
    nav = nav[: nav.index("</nav>")]
    assert "In the menu" in nav
    assert "Not in the menu" not in nav


def test_unknown_url_gets_the_hubs_own_404_page_with_search(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert 'action="/search/"' in html
    assert "Traceback" not in html


def test_server_error_gets_a_styled_500_page_without_a_traceback(settings):
    settings.ROOT_URLCONF = "tests.home.failing_urls"
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong" in html
    assert "hub.css" in html
    assert "Traceback" not in html and "RuntimeError" not in html


class HomePageTreeTests(WagtailPageTestCase):
    def test_home_page_lives_at_the_root_only_once(self):
        root = Page.objects.get(depth=1)
        self.assertAllowedParentPageTypes(HomePage, {Page})
        self.assertEqual(HomePage.max_count, 1)
        self.assertTrue(HomePage.objects.child_of(root).exists())

    def test_standard_pages_nest_under_home_and_each_other(self):
        self.assertAllowedSubpageTypes(
            HomePage,
            {
                StandardPage,
                ResourceIndexPage,
                EventIndexPage,
                JoinPage,
                WorkingGroupIndexPage,
                CommunityIndexPage,
            },
        )
        self.assertAllowedSubpageTypes(StandardPage, {StandardPage})
        self.assertCanCreateAt(HomePage, StandardPage)

    def test_pages_render_and_are_editable(self):
        home = HomePage.objects.get()
        page = StandardPageFactory(parent=home, title="About", slug="about-test")
        self.assertPageIsRenderable(home)
        self.assertPageIsRenderable(page)
        self.login()
        self.assertPageIsEditable(
            page,
            post_data=nested_form_data(
                {"title": "About", "slug": "about-test", "introduction": "Hello", "body": streamfield([])}
            ),
        )
        self.assertPageIsEditable(
            home,
            post_data=nested_form_data(
                {
                    "title": "Home",
                    "slug": "home",
                    "mission_heading": home.mission_heading,
                    "mission": rich_text("<p>Our mission</p>"),
                    "join_heading": "Join",
                    "join_text": "Please join",
                    "featured_items": inline_formset([]),
                    "body": streamfield([]),
                }
            ),
        )
