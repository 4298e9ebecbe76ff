"""Demo content for events: /events/ with the launch webinar (its call to action:
join a working group), open webinars and trainings over the following months,
one members-only training, one closed partner meeting, one cancelled session and
a past listening session with its recording, slides and transcript.

Dates are relative to today, so the demo always has upcoming events: running the
loader again moves a demo event to its new date when it is more than a day off.
Nothing is fetched from the network: the recording's player is stored in
Wagtail's embed table beforehand and the slides are a small generated PDF.
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile
from django.utils import timezone
from wagtail.documents import get_document_model
from wagtail.embeds.embeds import get_embed_hash
from wagtail.embeds.models import Embed
from wagtail.models import Site

from hub.models import Topic

from .models import EventIndexPage, EventPage, EventSeries, EventSpeaker

ZONE = ZoneInfo("America/New_York")
DEMO_RECORDING_URL = "https://video.example.org/cop/listening-session-recording"
WORKING_GROUPS_URL = "/working-groups/"

SERIES = {
    "launch": ("Launch webinar", "The webinar that opens the Community of Practice."),
    "monthly": ("Monthly learning sessions", "An open webinar each month on one part of equitable care."),
    "training": ("Skills trainings", "Hands-on trainings with practice time, in small groups."),
    "listening": ("Listening sessions", "Sessions where the CoP asks its community what it needs."),
    "partners": ("Partner meetings", "Closed meetings of the CoP's partner organisations."),
}

AGENDA_LAUNCH = [
    (time(13, 0), "Welcome and why this Community of Practice", "", "Dr. Renee Alvarez"),
    (time(13, 10), "What CMHC leaders told us in the listening sessions", "", "Marcus Webb"),
    (
        time(13, 30),
        "The working groups: crisis services, peer workforce, language access, measurement",
        "",
        "",
    ),
    (time(14, 0), "Questions and answers", "Ask in the chat or unmute; live captions throughout.", ""),
    (time(14, 20), "How to join a working group", "", "Dr. Renee Alvarez"),
]


def _at(days, hour, minute=0):
    day = timezone.localdate() + timedelta(days=days)
    while day.weekday() >= 5:  # CoP events run on weekdays
        day += timedelta(days=1)
    return datetime.combine(day, time(hour, minute), tzinfo=ZONE)


EVENTS = [
    {
        "slug": "listening-session-what-cmhc-leaders-need",
        "title": "Listening session: what CMHC leaders need from a Community of Practice",
        "summary": "CMHC leaders, researchers and people with lived experience told us what would help them "
        "deliver equitable care. Watch the recording, read the transcript and download the slides.",
        "series": "listening",
        "format": "webinar",
        "days": -21,
        "hour": 13,
        "minutes": 75,
        "topics": ["health-equity", "community-engagement"],
        "registration": "none",
        "past_materials": True,
        "speakers": [
            ("Dr. Renee Alvarez", "moderator", "Director", "Community of Practice"),
            (
                "Marcus Webb",
                "speaker",
                "Peer Support Program Lead",
                "Riverbend Community Mental Health Center",
            ),
        ],
    },
    {
        "slug": "launch-webinar-join-a-working-group",
        "title": "Launch webinar: building a pathway to equitable mental health care",
        "summary": "The Community of Practice opens. Hear what it is for, what CMHC leaders asked of it, and "
        "how the working groups will turn evidence into practice, then join the group that fits your work.",
        "series": "launch",
        "format": "webinar",
        "days": 9,
        "hour": 13,
        "minutes": 90,
        "topics": ["health-equity", "access-to-care", "community-engagement"],
        "registration": "built-in",
        "capacity": 500,
        "launch": True,
        "speakers": [
            ("Dr. Renee Alvarez", "speaker", "Director", "Community of Practice"),
            (
                "Marcus Webb",
                "speaker",
                "Peer Support Program Lead",
                "Riverbend Community Mental Health Center",
            ),
            ("Dr. Priya Natarajan", "speaker", "Associate Professor of Psychiatry", "State University"),
            ("Jordan Ellis", "moderator", "Partnerships Manager", "Community of Practice"),
        ],
    },
    {
        "slug": "partner-meeting-aligning-state-cops",
        "title": "Partner meeting: aligning the state communities of practice",
        "summary": "Partner organisations agree how their communities of practice share resources, "
        "link to each other and plan joint sessions for the year.",
        "series": "partners",
        "format": "partner-meeting",
        "days": 16,
        "hour": 11,
        "minutes": 60,
        "topics": ["community-engagement"],
        "registration": "none",
        "access": "partners",
        "joining_link": "https://meet.example.org/cop-partners-closed",
    },
    {
        "slug": "crisis-services-988-and-mobile-crisis",
        "title": "Monthly learning session: 988 and mobile crisis teams in CMHCs",
        "summary": "How three CMHCs connected 988 calls to mobile crisis teams, and what changed for "
        "people who had waited longest for help.",
        "series": "monthly",
        "format": "webinar",
        "days": 30,
        "hour": 14,
        "minutes": 60,
        "topics": ["crisis-services", "suicide-prevention"],
        "registration": "none",
    },
    {
        "slug": "office-hours-data-dashboards",
        "title": "Office hours: equity dashboards for CMHC data teams",
        "summary": "Bring your questions about building an equity dashboard from your EHR data.",
        "series": "monthly",
        "format": "workshop",
        "days": 37,
        "hour": 15,
        "minutes": 60,
        "topics": ["quality-measurement", "health-equity"],
        "registration": "built-in",
        "capacity": 30,
        "cancelled": True,
    },
    {
        "slug": "training-measurement-based-care",
        "title": "Training: measurement-based care in practice",
        "summary": "A two-hour hands-on training on using routine outcome measures with clients, "
        "with practice in small groups. Places are limited.",
        "series": "training",
        "format": "training",
        "days": 45,
        "hour": 12,
        "minutes": 120,
        "topics": ["quality-measurement", "integrated-care"],
        "registration": "built-in",
        "capacity": 40,
    },
    {
        "slug": "members-training-health-equity-action-plan",
        "title": "Members' training: writing your center's health equity action plan",
        "summary": "For members: draft your center's health equity action plan with coaches and peers, "
        "using the CoP's template and your own data.",
        "series": "training",
        "format": "training",
        "days": 58,
        "hour": 13,
        "minutes": 120,
        "topics": ["health-equity", "cultural-responsiveness"],
        "registration": "built-in",
        "capacity": 60,
        "access": "members",
    },
    {
        "slug": "peer-workforce-supervision",
        "title": "Monthly learning session: supervising and keeping the peer workforce",
        "summary": "What helps peer specialists stay: supervision that protects the peer role, fair pay "
        "and career paths. With peer specialists and CMHC managers.",
        "series": "monthly",
        "format": "webinar",
        "days": 65,
        "hour": 14,
        "minutes": 60,
        "topics": ["peer-support", "workforce"],
        "registration": "built-in",
    },
    {
        "slug": "training-language-access-interpreters",
        "title": "Training: working well with interpreters in therapy",
        "summary": "Practical skills for clinicians working with spoken and sign language interpreters.",
        "series": "training",
        "format": "training",
        "days": 80,
        "hour": 12,
        "minutes": 90,
        "topics": ["language-access", "cultural-responsiveness"],
        "registration": "built-in",
        "capacity": 50,
    },
    {
        "slug": "telehealth-rural-communities",
        "title": "Monthly learning session: telehealth that works for rural communities",
        "summary": "Broadband gaps, privacy at home and what rural CMHCs learned about keeping "
        "people in care.",
        "series": "monthly",
        "format": "webinar",
        "days": 100,
        "hour": 14,
        "minutes": 60,
        "topics": ["telehealth", "rural-mental-health"],
        "registration": "none",
    },
    {
        "slug": "working-group-meeting-crisis-services",
        "title": "Crisis services working group: first meeting",
        "summary": "The crisis services working group meets for the first time to agree its plan. "
        "Open to anyone who wants to join the group.",
        "series": None,
        "format": "working-group-meeting",
        "days": 23,
        "hour": 16,
        "minutes": 60,
        "topics": ["crisis-services"],
        "registration": "none",
        "access": "members",
    },
]


def demo_slides_pdf(title, lines):
    """A one-page PDF with a title and a few lines of text, written by hand."""

    def escape(text):
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    stream_lines = ["BT", "/F1 20 Tf", "72 720 Td", f"({escape(title)}) Tj", "/F1 12 Tf"]
    for line in lines:
        stream_lines += ["0 -24 Td", f"({escape(line)}) Tj"]
    stream_lines.append("ET")
    stream = "\n".join(stream_lines).encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _slides_document():
    Document = get_document_model()
    title = "Listening session slides: what CMHC leaders need"
    document = Document.objects.filter(title=title).first()
    if document is None:
        pdf = demo_slides_pdf(
            "What CMHC leaders need from a Community of Practice",
            [
                "1. Time: short, practical sessions that fit a clinic day",
                "2. Evidence they can use: toolkits, not only papers",
                "3. Peers: other centers that solved the same problem",
                "4. Equity data: help measuring who waits and who drops out",
                "5. Working groups that produce something within a year",
            ],
        )
        document = Document(title=title)
        document.file.save("listening-session-slides.pdf", ContentFile(pdf), save=False)
        document.save()
    return document


def _recording_embed():
    # Stored beforehand so the page never asks a video website for a player.
    Embed.objects.update_or_create(
        hash=get_embed_hash(DEMO_RECORDING_URL),
        defaults={
            "url": DEMO_RECORDING_URL,
            "type": "video",
            "title": "Listening session recording",
            "provider_name": "Demo video host",
            "html": (
                '<p class="video__fallback">This is demo content: in the live hub the recording\'s '
                "video player appears here.</p>"
            ),
        },
    )


TRANSCRIPT = (
    "<p><b>Dr. Renee Alvarez:</b> Welcome, everyone. Today we are listening: what would make a Community "
    "of Practice worth your time?</p>"
    "<p><b>Marcus Webb:</b> For our peer team, it is hearing from centers that kept their peer specialists. "
    "We lose people after a year.</p>"
    "<p><b>Participant:</b> Data help. We know some groups wait longer for a first appointment, but we "
    "cannot show it.</p>"
)


def _series():
    result = {}
    for key, (name, description) in SERIES.items():
        result[key], _ = EventSeries.objects.get_or_create(name=name, defaults={"description": description})
    return result


def _fill(event, spec, series, slides):
    start = _at(spec["days"], spec["hour"])
    event.title = spec["title"]
    event.summary = spec["summary"]
    event.event_format = spec["format"]
    event.start = start
    event.end = start + timedelta(minutes=spec["minutes"])
    event.time_zone = "America/New_York"
    event.series = series.get(spec["series"]) if spec["series"] else None
    event.access = spec.get("access", "open")
    event.registration = spec["registration"]
    event.capacity = spec.get("capacity")
    event.cancelled = spec.get("cancelled", False)
    event.joining_link = spec.get("joining_link", f"https://meet.example.org/cop/{spec['slug']}")
    if spec.get("launch"):
        event.agenda = [
            ("item", {"time": t, "title": title, "description": text, "led_by": lead})
            for t, title, text, lead in AGENDA_LAUNCH
        ]
        event.call_to_action = [
            (
                "call_to_action",
                {
                    "heading": "Join a working group",
                    "text": "The working groups are where the CoP's work happens: four groups, each meeting "
                    "monthly, each producing one practical tool within a year. Choose the one that fits "
                    "your work.",
                    "button_text": "See the working groups",
                    "url": WORKING_GROUPS_URL,
                },
            )
        ]
    if spec.get("past_materials"):
        event.recording = [
            (
                "video",
                {
                    "video": DEMO_RECORDING_URL,
                    "title": "Recording of the listening session",
                    "transcript": "",
                },
            )
        ]
        event.slides = slides
        event.transcript = TRANSCRIPT
        event.follow_up_survey_url = "https://survey.example.org/cop-listening-session"


def load(stdout):
    home = Site.objects.get(is_default_site=True).root_page.specific
    index = EventIndexPage.objects.child_of(home).first()
    if index is None:
        index = EventIndexPage(
            title="Events",
            slug="events",
            show_in_menus=True,
            introduction=(
                "Webinars, trainings and meetings of the Community of Practice. Open webinars are free "
                "for everyone; members' trainings and closed meetings show here when you sign in."
            ),
            listing_summary="Webinars, trainings and meetings of the Community of Practice.",
        )
        home.add_child(instance=index)
        index.save_revision().publish()

    series = _series()
    slides = _slides_document()
    _recording_embed()
    created = moved = 0
    for spec in EVENTS:
        event = EventPage.objects.child_of(index).filter(slug=spec["slug"]).first()
        if event is None:
            event = EventPage(slug=spec["slug"])
            _fill(event, spec, series, slides)
            index.add_child(instance=event)
            event.topics.set(Topic.objects.filter(slug__in=spec["topics"]))
            for order, (name, role, job, organisation) in enumerate(spec.get("speakers", [])):
                EventSpeaker.objects.create(
                    page=event,
                    sort_order=order,
                    name=name,
                    role=role,
                    job_title=job,
                    organisation=organisation,
                )
            event.save_revision().publish()
            created += 1
        elif abs(event.start - _at(spec["days"], spec["hour"])) > timedelta(days=1):
            event.start = _at(spec["days"], spec["hour"])
            event.end = event.start + timedelta(minutes=spec["minutes"])
            event.save_revision().publish()
            moved += 1
    stdout.write(f"Events: created {created}, moved to new dates {moved}, {len(EVENTS)} in the demo.")
    return index
