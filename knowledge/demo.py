"""Demo content for the library: the /resources/ page and 48 real resources
(``knowledge/data/sample_resources.csv``), published."""

from pathlib import Path

from wagtail.models import PageViewRestriction, Site

from hub.models import Topic

from .importer import ResourceImporter
from .models import ResourceIndexPage, ResourcePage

SAMPLE_CSV = Path(__file__).resolve().parent / "data" / "sample_resources.csv"
MEMBERS_ONLY_ID = "demo-members-1"


def load(stdout):
    home = Site.objects.get(is_default_site=True).root_page.specific
    library = ResourceIndexPage.objects.child_of(home).first()
    if library is None:
        library = ResourceIndexPage(
            title="Resource library",
            slug="resources",
            show_in_menus=True,
            introduction=(
                "Evidence-based toolkits, guides, briefs and reviews for Community Mental Health "
                "Centers, chosen and reviewed by the Community of Practice. Each shows how strong "
                "its evidence is, who it is for and when we last checked it."
            ),
            listing_summary="Evidence-based resources for equitable mental health care.",
        )
        home.add_child(instance=library)
        library.save_revision().publish()

    with SAMPLE_CSV.open(encoding="utf-8", newline="") as handle:
        report = ResourceImporter(index_page=library, publish=True).run(handle)
    stdout.write(f"Resource library: {report.summary()}.")

    if not ResourcePage.objects.filter(external_id=MEMBERS_ONLY_ID).exists():
        page = ResourcePage(
            title="Peer support supervision: notes from the members' learning session",
            slug="peer-support-supervision-notes",
            external_id=MEMBERS_ONLY_ID,
            summary=(
                "What CMHC supervisors in the peer support working group learned about supervising "
                "peer specialists: protecting the peer role, reflective supervision and avoiding "
                "drift into clinical tasks. Shared with members only while the group drafts a public guide."
            ),
            publisher="Community of Practice working group",
            publication_year=2026,
            resource_type=ResourcePage._meta.get_field("resource_type").related_model.objects.get(
                slug="guide"
            ),
            evidence_level=ResourcePage._meta.get_field("evidence_level").related_model.objects.get(
                slug="expert-consensus"
            ),
        )
        library.add_child(instance=page)
        page.topics.set(Topic.objects.filter(slug__in=["peer-support", "workforce"]))
        page.save_revision().publish()
        restriction = PageViewRestriction.objects.create(
            page=page, restriction_type=PageViewRestriction.GROUPS
        )
        restriction.groups.set(
            restriction.groups.model.objects.filter(name__in=["Members", "CMHC staff", "Partners"])
        )
    return library
