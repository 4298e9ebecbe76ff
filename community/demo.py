"""Demo content for membership and working groups: the join page (/join/), four
working groups (/working-groups/) with members-only notes and a document, the
demo "member" in a group, and an application waiting for a decision."""

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from wagtail.documents import get_document_model
from wagtail.models import Collection, CollectionViewRestriction, Site

from hub.models import HubSettings, Topic
from knowledge.models import ResourcePage

from .models import (
    JoinPage,
    MemberProfile,
    MembershipApplication,
    WorkingGroupChair,
    WorkingGroupDocument,
    WorkingGroupIndexPage,
    WorkingGroupMeeting,
    WorkingGroupMembership,
    WorkingGroupOutput,
    WorkingGroupPage,
)

MEMBER_GROUPS = ["Members", "CMHC staff", "Partners"]
DOCUMENTS_COLLECTION = "Working group documents"

WORKING_GROUPS = [
    {
        "slug": "workforce-and-peer-support",
        "title": "Workforce and peer support",
        "purpose": (
            "CMHC leaders and peer specialists working out how to recruit, support and keep the people "
            "who deliver care, with peer support as a full part of the team."
        ),
        "gap": (
            "Centers serving underserved communities lose staff fastest, and peer specialists are often "
            "hired without the supervision or career paths that keep them."
        ),
        "goals": (
            "<ul><li>A practical guide to supervising peer specialists</li>"
            "<li>Shared job descriptions and career ladders</li>"
            "<li>A retention survey of member centers, repeated every year</li></ul>"
        ),
        "cadence": "Monthly, second Tuesday, 3–4 pm Eastern, online",
        "topics": ["workforce", "peer-support"],
        "chairs": [("Dana Whitfield", "Riverbend Community Mental Health Center")],
        "notes": (
            "<h3>Notes from the last meeting</h3><p>We agreed the outline of the supervision guide. "
            "Draft chapters are due before the next meeting; Dana will circulate the retention survey "
            "questions for comment.</p>"
        ),
        "document": ("Peer supervision guide: outline for comment", "peer-supervision-outline.txt"),
        "meetings": ["Monthly learning session: supervising and keeping the peer workforce"],
    },
    {
        "slug": "crisis-services",
        "title": "Crisis services",
        "purpose": (
            "Centers, 988 call centers and mobile crisis teams sharing what works for someone to call, "
            "someone to respond and somewhere to go."
        ),
        "gap": (
            "Crisis care is uneven: many rural and minority communities still rely on police "
            "and emergency rooms."
        ),
        "goals": (
            "<ul><li>Mobile crisis team models that work in rural areas</li>"
            "<li>Follow-up after a crisis</li></ul>"
        ),
        "cadence": "Every other month, online",
        "topics": ["crisis-services", "suicide-prevention"],
        "meetings": ["Crisis services working group: first meeting"],
        "chairs": [("Luis Ortega", "Valley Crisis Network")],
        "notes": "<p>Members are comparing follow-up call scripts; add yours to the shared folder.</p>",
        "document": None,
    },
    {
        "slug": "equity-and-language-access",
        "title": "Equity and language access",
        "purpose": (
            "Making care fit the people it serves: interpreters, translated materials, culturally "
            "responsive practice and measuring who is left out."
        ),
        "gap": "People who speak little English wait longer for care and drop out of it more often.",
        "goals": (
            "<ul><li>A language access self-assessment for centers</li>"
            "<li>Equity measures members can share</li></ul>"
        ),
        "cadence": "Monthly, last Thursday, online; sessions in English and Spanish",
        "topics": ["health-equity", "language-access", "cultural-responsiveness"],
        "chairs": [("Mei Chen", "Eastside Family Services"), ("Rosa Delgado", "Universidad del Norte")],
        "notes": "<p>The self-assessment pilot starts with five centers next quarter.</p>",
        "document": None,
    },
    {
        "slug": "research-partnerships",
        "title": "Research partnerships",
        "purpose": (
            "Researchers and centers designing studies together, so research answers the questions "
            "centers have and its results reach practice."
        ),
        "gap": "Few studies are run in community settings, and their findings are slow to reach centers.",
        "goals": (
            "<ul><li>A matchmaking list of centers and researchers</li>"
            "<li>Plain-language research summaries</li></ul>"
        ),
        "cadence": "Quarterly, online",
        "topics": ["quality-measurement", "community-engagement"],
        "chairs": [("Dr. Amara Okafor", "State University School of Public Health")],
        "notes": "<p>Two joint grant applications are in preparation; ask the chair for the drafts.</p>",
        "document": None,
    },
]


def _documents_collection():
    root = Collection.get_first_root_node()
    collection = Collection.objects.filter(name=DOCUMENTS_COLLECTION).first()
    if collection is None:
        collection = root.add_child(name=DOCUMENTS_COLLECTION)
    if not CollectionViewRestriction.objects.filter(collection=collection).exists():
        restriction = CollectionViewRestriction.objects.create(
            collection=collection, restriction_type=CollectionViewRestriction.GROUPS
        )
        restriction.groups.set(Group.objects.filter(name__in=MEMBER_GROUPS))
    return collection


def _add_document(group, title, filename):
    if group.members_documents.exists():
        return
    Document = get_document_model()
    document = Document.objects.filter(title=title).first()
    if document is None:
        document = Document(title=title, collection=_documents_collection())
        document.file.save(
            filename,
            ContentFile(
                f"{title}\n\n1. Why peer supervision differs from clinical supervision\n"
                "2. Protecting the peer role\n3. Reflective supervision in practice\n"
                "4. Career paths for peer specialists\n".encode()
            ),
            save=False,
        )
        document.save()
    WorkingGroupDocument.objects.create(page=group, document=document, sort_order=0)


def _events_titled(titles):
    """The demo programme's meetings of a group, when the events app has them."""
    try:
        EventPage = apps.get_model("events", "EventPage")
    except LookupError:
        return []
    return list(EventPage.objects.filter(title__in=titles).order_by("pk")) if titles else []


def _build_group(index, spec):
    group = WorkingGroupPage.objects.child_of(index).filter(slug=spec["slug"]).first()
    if group is not None:
        return group, False
    group = WorkingGroupPage(
        title=spec["title"],
        slug=spec["slug"],
        purpose=spec["purpose"],
        gap_addressed=spec["gap"],
        goals=spec["goals"],
        meeting_cadence=spec["cadence"],
        members_notes=spec["notes"],
        listing_summary=spec["purpose"][:300],
    )
    group.topics = list(Topic.objects.filter(slug__in=spec["topics"]))
    group.chairs = [
        WorkingGroupChair(name=name, organisation=organisation, sort_order=order)
        for order, (name, organisation) in enumerate(spec["chairs"])
    ]
    outputs = list(
        ResourcePage.objects.live()
        .filter(topics__slug__in=spec["topics"])
        .distinct()
        .order_by("pk")
        .values_list("pk", flat=True)[:2]
    )
    if spec["slug"] == "workforce-and-peer-support":
        # The members-only resource: listed for members, hidden from everyone else.
        outputs += list(
            ResourcePage.objects.filter(external_id="demo-members-1").values_list("pk", flat=True)
        )
    group.outputs = [WorkingGroupOutput(resource_id=pk, sort_order=order) for order, pk in enumerate(outputs)]
    group.meetings = [
        WorkingGroupMeeting(meeting=event, sort_order=order)
        for order, event in enumerate(_events_titled(spec.get("meetings", [])))
    ]
    index.add_child(instance=group)
    group.save_revision().publish()
    return group, True


def load(stdout):
    site = Site.objects.get(is_default_site=True)
    home = site.root_page.specific
    privacy = home.get_children().filter(slug="privacy").first()

    join = JoinPage.objects.child_of(home).first()
    if join is None:
        join = JoinPage(
            title="Join the Community of Practice",
            slug="join",
            introduction=(
                "<p>The Community of Practice is open to people who work in or with Community Mental "
                "Health Centers: CMHC leaders and staff, researchers, and partner organisations. Members "
                "read members-only resources, join working groups and take part in closed meetings. "
                "Membership is free.</p>"
            ),
            privacy_page=privacy,
            listing_summary="Apply to join the Community of Practice: free for people in or with CMHCs.",
        )
        home.add_child(instance=join)
        join.save_revision().publish()
    settings = HubSettings.for_site(site)
    if settings.join_page_id != join.pk:
        settings.join_page = join
        settings.save()

    index = WorkingGroupIndexPage.objects.child_of(home).first()
    if index is None:
        index = WorkingGroupIndexPage(
            title="Working groups",
            slug="working-groups",
            show_in_menus=True,
            introduction=(
                "Working groups bring CMHC partners, researchers and other stakeholders together on the "
                "gaps that matter most for equitable care. Members of the Community of Practice can ask "
                "to join any group."
            ),
            listing_summary="Members working together on workforce, crisis care, equity and research.",
        )
        home.add_child(instance=index)
        index.save_revision().publish()

    groups = {}
    created = 0
    for spec in WORKING_GROUPS:
        group, is_new = _build_group(index, spec)
        created += is_new
        groups[spec["slug"]] = group
        if spec["document"]:
            _add_document(group, *spec["document"])

    User = get_user_model()
    member = User.objects.filter(username="member").first()
    if member is not None:
        profile, _ = MemberProfile.objects.get_or_create(
            user=member,
            defaults={
                "organisation": "Riverbend Community Mental Health Center",
                "organisation_type": "cmhc",
                "role": "Director of peer services",
                "region": "Ohio",
            },
        )
        profile.topics.add(*Topic.objects.filter(slug__in=["peer-support", "workforce"]))
        WorkingGroupMembership.objects.get_or_create(
            working_group=groups["workforce-and-peer-support"],
            user=member,
            defaults={"status": WorkingGroupMembership.APPROVED, "message": "Demo member."},
        )
    partner = User.objects.filter(username="partner").first()
    if partner is not None:
        WorkingGroupMembership.objects.get_or_create(
            working_group=groups["research-partnerships"],
            user=partner,
            defaults={"message": "I would like to connect our university with centers in the region."},
        )

    if not MembershipApplication.objects.filter(email="jordan.rivera@example.org").exists():
        application = MembershipApplication.objects.create(
            name="Jordan Rivera",
            email="jordan.rivera@example.org",
            organisation="Lakeside Community Mental Health Center",
            organisation_type="cmhc",
            role="Clinical director",
            region="New Mexico",
            consented_at=join.first_published_at,
        )
        application.topics.set(Topic.objects.filter(slug__in=["crisis-services", "language-access"]))
        application.working_groups.set([groups["crisis-services"]])

    stdout.write(
        f"Join page at {join.url}; {len(groups)} working groups ({created} new) at {index.url}; "
        "'member' is in Workforce and peer support; one application waits for a decision."
    )
