"""Who may do what to which page: every role walked over every restricted page,
on every surface that shows a page (the edit view, its preview, its revisions,
the admin explorer and the site itself).

The policy (README, "Roles"): Editors edit everything; a Contributor adds
resources and events and edits the pages it owns, plus its own partner page
through the per-partner group an administrator gives it; Evidence reviewers
and Steering edit nothing; members never reach the admin. On the site, page
privacy decides, whatever the role."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from wagtail.models import GroupPagePermission, Page, PageViewRestriction

from community.factories import WorkingGroupIndexPageFactory, WorkingGroupPageFactory
from community.partners.factories import CommunityIndexPageFactory, PartnerCommunityPageFactory
from events.factories import EventIndexPageFactory, EventPageFactory
from home.factories import StandardPageFactory
from hub.roles import page_editors_group
from knowledge.factories import ResourceIndexPageFactory, ResourcePageFactory

pytestmark = pytest.mark.django_db

ROLES = {
    "anonymous": None,
    "member": ["Members"],
    "cmhc staff": ["Members", "CMHC staff"],
    "partner": ["Members", "Partners"],
    # As the demo contributor: a partner organisation that drafts.
    "contributor": ["Contributors", "Partners"],
    "editor": ["Editors"],
    "reviewer": ["Evidence reviewers"],
    "steering": ["Steering"],
}
ADMIN_ROLES = {"contributor", "editor", "reviewer", "steering"}
NOTES = "Members-only notes: the draft budget is in the shared folder."
JOINING_LINK = "https://meet.example.org/closed-staff-meeting"


def publish(page):
    page.save_revision().publish()
    return page


def restrict(page, *groups):
    restriction = PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.set(Group.objects.filter(name__in=groups))
    return page


@pytest.fixture
def tree(home_page, make_user):
    """The hub's sections with one page of each kind a role might not see, and
    the contributor's own partner page and drafts."""
    people = {role: make_user(role.replace(" ", "_"), *groups) for role, groups in ROLES.items() if groups}
    library = publish(ResourceIndexPageFactory(parent=home_page))
    events = publish(EventIndexPageFactory(parent=home_page))
    group_index = publish(WorkingGroupIndexPageFactory(parent=home_page))
    directory = publish(CommunityIndexPageFactory(parent=home_page))

    closed_meeting = EventPageFactory(
        parent=events, title="CMHC directors closed meeting", access="staff", joining_link=JOINING_LINK
    )
    publish(closed_meeting)
    steering_page = restrict(
        publish(StandardPageFactory(parent=home_page, title="Steering minutes")), "Steering"
    )
    working_group = publish(
        WorkingGroupPageFactory(parent=group_index, title="Crisis services", members_notes=f"<p>{NOTES}</p>")
    )
    other_partner = publish(PartnerCommunityPageFactory(parent=directory, title="Rural research network"))
    own_partner = publish(PartnerCommunityPageFactory(parent=directory, title="Northeast partner"))
    members_resource = restrict(
        publish(ResourcePageFactory(parent=library, title="Members peer supervision notes")),
        "Members",
        "CMHC staff",
        "Partners",
    )
    others_draft = ResourcePageFactory(
        parent=library, title="Unfinished editor draft", live=False, owner=people["editor"]
    )
    own_draft = ResourcePageFactory(
        parent=library, title="Contributor telehealth draft", live=False, owner=people["contributor"]
    )
    own_event = EventPageFactory(
        parent=events, title="Contributor partner webinar", live=False, owner=people["contributor"]
    )
    for draft in (others_draft, own_draft, own_event):
        draft.save_revision(user=draft.owner)

    # How a contributor gets its partner page: a group for that partner, with
    # "Edit" on the page, that an administrator puts the contributor in.
    partner_editors = page_editors_group(own_partner, "Partner editors: Northeast partner")
    people["contributor"].groups.add(partner_editors)

    return {
        "people": people,
        "sections": {"library": library, "events": events, "groups": group_index, "directory": directory},
        "pages": {
            "closed meeting": closed_meeting,
            "steering page": steering_page,
            "working group": working_group,
            "other partner": other_partner,
            "members resource": members_resource,
            "others draft": others_draft,
            "own partner": own_partner,
            "own draft": own_draft,
            "own event": own_event,
        },
    }


# --- the policy -----------------------------------------------------------------------

CONTRIBUTOR_EDITS = {"own partner", "own draft", "own event"}
LIVE_PAGES = {
    "closed meeting",
    "steering page",
    "working group",
    "other partner",
    "members resource",
    "own partner",
}


def may_edit(role, page_name):
    if role == "editor":
        return True
    if role == "contributor":
        return page_name in CONTRIBUTOR_EDITS
    return False


def may_read_on_site(role, page_name):
    groups = set(ROLES[role] or [])
    if page_name == "closed meeting":
        return "CMHC staff" in groups
    if page_name == "steering page":
        return "Steering" in groups
    if page_name == "members resource":
        return bool(groups & {"Members", "CMHC staff", "Partners"})
    return True


def admin_outcome(role, page_name):
    if role == "anonymous" or role not in ADMIN_ROLES:
        return "sign in"
    return "allowed" if may_edit(role, page_name) else "refused"


def site_outcome(role, page_name):
    if may_read_on_site(role, page_name):
        return "allowed"
    return "sign in" if role == "anonymous" else "refused"


def outcome(response):
    if response.status_code == 200:
        return "allowed"
    if response.status_code == 403:
        return "refused"
    if response.status_code == 302:
        location = response["Location"]
        if "/login/" in location or "/sign-in/" in location:
            return "sign in"
        # Wagtail sends an admin user it refuses back to the dashboard.
        if location.rstrip("/").endswith("/admin") or location == "/admin/":
            return "refused"
    return f"{response.status_code} {response.get('Location', '')}"


def sign_in(client, tree, role):
    client.logout()
    if role != "anonymous":
        client.force_login(tree["people"][role])


def admin_surfaces(page):
    revision = page.get_latest_revision()
    return {
        "edit": reverse("wagtailadmin_pages:edit", args=[page.pk]),
        "preview": reverse("wagtailadmin_pages:view_draft", args=[page.pk]),
        "preview while editing": reverse("wagtailadmin_pages:preview_on_edit", args=[page.pk]),
        "history": reverse("wagtailadmin_pages:history", args=[page.pk]),
        "revision": reverse("wagtailadmin_pages:revisions_view", args=[page.pk, revision.pk]),
        "workflow history": reverse("wagtailadmin_pages:workflow_history", args=[page.pk]),
        "copy": reverse("wagtailadmin_pages:copy", args=[page.pk]),
    }


@pytest.mark.parametrize("role", list(ROLES))
def test_each_role_reaches_in_the_admin_only_the_pages_the_policy_gives_it(client, tree, role):
    sign_in(client, tree, role)
    found, expected = {}, {}
    for page_name, page in tree["pages"].items():
        for surface, url in admin_surfaces(page).items():
            found[(page_name, surface)] = outcome(client.get(url))
            expected[(page_name, surface)] = admin_outcome(role, page_name)
    mismatches = {key: (found[key], expected[key]) for key in found if found[key] != expected[key]}
    assert mismatches == {}, "(found, expected) per (page, surface)"


@pytest.mark.parametrize("role", list(ROLES))
def test_each_role_reads_on_the_site_only_what_page_privacy_lets_it(client, tree, role):
    sign_in(client, tree, role)
    found, expected = {}, {}
    for page_name in sorted(LIVE_PAGES):
        page = tree["pages"][page_name]
        found[page_name] = outcome(client.get(page.url))
        expected[page_name] = site_outcome(role, page_name)
    assert found == expected


def test_the_working_group_notes_and_closed_joining_link_stay_out_of_the_contributors_views(client, tree):
    sign_in(client, tree, "contributor")
    group_page = client.get(tree["pages"]["working group"].url)
    assert group_page.status_code == 200
    assert NOTES not in group_page.content.decode()
    for url in admin_surfaces(tree["pages"]["working group"]).values():
        assert NOTES not in client.get(url, follow=True).content.decode()
    for url in (
        tree["pages"]["closed meeting"].url,
        *admin_surfaces(tree["pages"]["closed meeting"]).values(),
    ):
        assert JOINING_LINK not in client.get(url, follow=True).content.decode()


def explorer_titles(client, parent):
    response = client.get(reverse("wagtailadmin_explore", args=[parent.pk]))
    api = client.get("/admin/api/main/pages/", {"child_of": parent.pk, "for_explorer": 1, "limit": 20})
    return response, {item["title"] for item in api.json()["items"]} if api.status_code == 200 else None


def test_the_contributors_explorer_lists_what_it_may_read_or_owns_and_no_closed_or_unpublished_page(
    client, tree
):
    sign_in(client, tree, "contributor")
    pages, sections = tree["pages"], tree["sections"]
    listing, listed = explorer_titles(client, sections["events"])
    html = listing.content.decode()
    assert listing.status_code == 200
    assert pages["own event"].title in html and pages["own event"].title in listed
    assert pages["closed meeting"].title not in html and pages["closed meeting"].title not in listed

    listing, listed = explorer_titles(client, sections["library"])
    html = listing.content.decode()
    assert pages["own draft"].title in html and pages["own draft"].title in listed
    assert pages["members resource"].title in listed  # a Partner may read it
    assert pages["others draft"].title not in html and pages["others draft"].title not in listed

    listing, listed = explorer_titles(client, sections["directory"])
    html = listing.content.decode()
    assert pages["own partner"].title in html
    assert pages["other partner"].title not in html and pages["other partner"].title not in listed

    listing, listed = explorer_titles(client, sections["groups"])
    assert pages["working group"].title not in listing.content.decode()
    assert not listed or pages["working group"].title not in listed
    search = client.get(reverse("wagtailadmin_pages:search"), {"q": "closed meeting"})
    assert pages["closed meeting"].title not in search.content.decode()


def test_editors_explorer_lists_every_page_of_a_section(client, tree):
    sign_in(client, tree, "editor")
    listing, listed = explorer_titles(client, tree["sections"]["events"])
    assert {tree["pages"]["closed meeting"].title, tree["pages"]["own event"].title} <= listed
    assert tree["pages"]["closed meeting"].title in listing.content.decode()


def test_a_contributor_adds_resources_and_events_but_nothing_elsewhere(tree):
    contributor = tree["people"]["contributor"]
    sections = tree["sections"]
    home = sections["library"].get_parent()
    assert sections["library"].permissions_for_user(contributor).can_add_subpage()
    assert sections["events"].permissions_for_user(contributor).can_add_subpage()
    for page in (home, sections["groups"], sections["directory"], tree["pages"]["own partner"]):
        assert not page.permissions_for_user(contributor).can_add_subpage(), page
    for page in (home, *sections.values()):
        assert not page.permissions_for_user(contributor).can_edit(), page
    assert not tree["pages"]["own draft"].permissions_for_user(contributor).can_publish()


def test_a_contributor_drafts_a_resource_in_the_library_and_edits_it_afterwards(client, tree):
    from knowledge.models import ResourcePage
    from tests.knowledge.admin_forms import new_resource_data

    sign_in(client, tree, "contributor")
    library = tree["sections"]["library"]
    response = client.post(
        reverse("wagtailadmin_pages:add", args=("knowledge", "resourcepage", library.pk)),
        new_resource_data(),
    )
    assert response.status_code == 302, response.content[:2000]
    page = ResourcePage.objects.get(slug="peer-run-respite")
    assert page.owner == tree["people"]["contributor"]
    assert client.get(reverse("wagtailadmin_pages:edit", args=[page.pk])).status_code == 200


def test_contributors_hold_no_page_permission_at_the_root_or_the_home_page(home_page):
    holders = set(
        GroupPagePermission.objects.filter(page__depth__lte=2).values_list("group__name", flat=True)
    )
    assert "Editors" in holders
    assert "Contributors" not in holders


def test_a_library_or_events_page_created_later_lets_contributors_add_there(home_page, make_user):
    contributor = make_user("casey", "Contributors")
    second_library = ResourceIndexPageFactory(parent=home_page, title="Second library", slug="second-library")
    second_events = EventIndexPageFactory(parent=home_page, title="Regional events", slug="regional-events")
    assert second_library.permissions_for_user(contributor).can_add_subpage()
    assert second_events.permissions_for_user(contributor).can_add_subpage()


def test_the_demo_contributor_edits_its_own_partner_page_and_no_other(site):
    import os

    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from community.models import PartnerCommunityPage

    call_command("load_demo_content", stdout=open(os.devnull, "w"))
    contributor = get_user_model().objects.get(username="contributor")
    editable = {
        partner.slug
        for partner in PartnerCommunityPage.objects.all()
        if partner.permissions_for_user(contributor).can_edit()
    }
    assert editable == {"northeast-mhttn"}
    drafts = [
        page
        for page in Page.objects.filter(owner=contributor)
        if page.permissions_for_user(contributor).can_edit()
    ]
    assert drafts, "the demo contributor edits the drafts it owns"
    assert not Page.objects.get(depth=2).permissions_for_user(contributor).can_edit()


def test_the_page_chooser_lists_a_contributor_no_closed_meeting_or_steering_page(client, tree):
    pages, events = tree["pages"], tree["sections"]["events"]
    for role, sees_hidden in (("contributor", False), ("editor", True)):
        sign_in(client, tree, role)
        browse = client.get(reverse("wagtailadmin_choose_page_child", args=[events.pk])).content.decode()
        search = client.get(
            reverse("wagtailadmin_choose_page_search"), {"q": "closed meeting"}
        ).content.decode()
        home = client.get(
            reverse("wagtailadmin_choose_page_child", args=[events.get_parent().pk])
        ).content.decode()
        assert (pages["closed meeting"].title in browse) is sees_hidden, role
        assert (pages["closed meeting"].title in search) is sees_hidden, role
        assert (pages["steering page"].title in home) is sees_hidden, role
        assert (
            pages["other partner"].title
            in client.get(
                reverse("wagtailadmin_choose_page_child", args=[tree["sections"]["directory"].pk])
            ).content.decode()
        ), "public pages stay choosable"


def test_the_admin_reports_and_api_name_no_page_a_contributor_may_not_see(client, tree):
    from wagtail.models import PageLogEntry

    hidden = ["closed meeting", "steering page", "working group", "other partner", "others draft"]
    for page in tree["pages"].values():
        PageLogEntry.objects.log_action(page, "wagtail.edit", user=tree["people"]["editor"])
    sign_in(client, tree, "contributor")
    urls = [
        "/admin/",
        "/admin/reports/aging-pages/",
        "/admin/reports/site-history/",
        "/admin/reports/workflow/",
        "/admin/reports/workflow_tasks/",
        "/admin/pages/usage/events/eventpage/",
        "/admin/pages/search/?q=meeting",
        "/admin/api/main/pages/?search=closed",
    ]
    for url in urls:
        body = client.get(url).content.decode()
        assert [name for name in hidden if tree["pages"][name].title in body] == [], url
    detail = client.get(f"/admin/api/main/pages/{tree['pages']['closed meeting'].pk}/")
    assert detail.status_code == 404


def test_no_group_publishes_directly_only_review_does(db):
    assert not GroupPagePermission.objects.filter(permission__codename="publish_page").exists()
    assert not Group.objects.filter(name="Moderators").exists()


def test_a_contributor_chooses_only_documents_of_the_contributions_collection(client, make_user):
    from django.core.files.base import ContentFile
    from wagtail.documents import get_document_model
    from wagtail.models import Collection

    Document = get_document_model()
    root = Collection.get_first_root_node()
    members_space = root.add_child(name="Working group documents")
    contributions = Collection.objects.filter(name="Contributions").first() or root.add_child(
        name="Contributions"
    )
    secret = Document(title="Crisis group budget draft", collection=members_space)
    secret.file.save("budget.pdf", ContentFile(b"%PDF-1.4 budget"), save=True)
    shared = Document(title="Peer respite flyer", collection=contributions)
    shared.file.save("flyer.pdf", ContentFile(b"%PDF-1.4 flyer"), save=True)

    for role, groups, sees_secret in (
        ("contributor", ["Contributors"], False),
        ("editor", ["Editors"], True),
    ):
        client.force_login(make_user(role, *groups))
        chooser = client.get(reverse("wagtaildocs_chooser:choose")).content.decode()
        assert ("Crisis group budget draft" in chooser) is sees_secret, role
        assert "Peer respite flyer" in chooser, role
        listing = client.get(reverse("wagtaildocs:index")).content.decode()
        assert ("Crisis group budget draft" in listing) is sees_secret, role
        client.logout()


SECTION_OF = {
    "closed meeting": "events",
    "own event": "events",
    "members resource": "library",
    "others draft": "library",
    "own draft": "library",
    "working group": "groups",
    "other partner": "directory",
    "own partner": "directory",
}


def explorer_lists(role, page_name):
    if role == "editor":
        return True
    if role == "contributor":
        if page_name in CONTRIBUTOR_EDITS:
            return True
        # Below the sections it adds to, what it may read on the site.
        return (
            SECTION_OF[page_name] in ("library", "events")
            and page_name != "others draft"
            and (may_read_on_site(role, page_name))
        )
    return False


@pytest.mark.parametrize("role", list(ROLES))
def test_each_role_finds_in_the_admin_explorer_only_the_pages_the_policy_gives_it(client, tree, role):
    sign_in(client, tree, role)
    found, expected = {}, {}
    for page_name, section in SECTION_OF.items():
        parent = tree["sections"][section]
        listing = client.get(reverse("wagtailadmin_explore", args=[parent.pk]))
        api = client.get("/admin/api/main/pages/", {"child_of": parent.pk, "for_explorer": 1, "limit": 20})
        title = tree["pages"][page_name].title
        in_listing = listing.status_code == 200 and title in listing.content.decode()
        in_api = api.status_code == 200 and title in {item["title"] for item in api.json()["items"]}
        found[page_name] = (in_listing, in_api)
        expected[page_name] = (explorer_lists(role, page_name),) * 2
    assert found == expected
