"""What the load test asks for, read from the stack's own database.

Run with the stack's settings (``Stack.python`` in bench/load/run.py):

    python bench/load/plan.py OUT.json MEMBERS

It writes the paths the virtual users visit (live, public pages only: a
sample of resources, the library with filters, events open for registration,
working groups, the join page), search queries and autocomplete prefixes
(bench/run.py's), and MEMBERS signed-in members: accounts ``loadmember<N>`` in
the Members group, each following a few topics, with a session cookie made
with the stack's SECRET_KEY (signing in through the form would trip the
sign-in rate limit, which counts per client).
"""

import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.run import AUTOCOMPLETE_PREFIXES, cold_search_paths, search_paths  # noqa: E402
from community.models import JoinPage, MemberProfile, WorkingGroupPage  # noqa: E402
from events.models import EventIndexPage, EventPage  # noqa: E402
from hub.models import ResourceType, Topic  # noqa: E402
from knowledge.models import ResourceIndexPage, ResourcePage  # noqa: E402

RESOURCE_SAMPLE = 2000


def urls(pages):
    return [page.url for page in pages if page.url]


def main(out, member_count):
    rng = random.Random(2026)
    resource_ids = list(ResourcePage.objects.live().public().values_list("id", flat=True))
    sample = rng.sample(resource_ids, min(RESOURCE_SAMPLE, len(resource_ids)))
    resources = urls(ResourcePage.objects.filter(id__in=sample))
    library = urls(ResourceIndexPage.objects.live().public())[:1]
    topics = list(Topic.objects.values_list("slug", flat=True))
    types = list(ResourceType.objects.values_list("slug", flat=True))
    filtered = []
    for _ in range(300):
        params = f"topic={rng.choice(topics)}"
        if rng.random() < 0.4:
            params += f"&type={rng.choice(types)}"
        if rng.random() < 0.2:
            params += f"&page={rng.randint(2, 4)}"
        filtered.append(f"{library[0]}?{params}")
    now = timezone.now()
    open_events = [
        event
        for event in EventPage.objects.live().public().filter(start__gt=now).order_by("start")[:400]
        if event.uses_built_in_registration and event.registration_is_open(now)
    ]
    events = urls(EventPage.objects.live().public().filter(start__gt=now).order_by("start")[:300])

    members = Group.objects.get(name="Members")
    users = get_user_model().objects
    sessions = []
    for n in range(member_count):
        user, created = users.get_or_create(
            username=f"loadmember{n}",
            defaults={
                "email": f"loadmember{n}@load.example.org",
                "first_name": "Load",
                "last_name": f"Member {n}",
            },
        )
        if created:
            user.set_unusable_password()
            user.save()
            user.groups.add(members)
            profile, _ = MemberProfile.objects.get_or_create(user=user)
            profile.topics.set(Topic.objects.filter(slug__in=rng.sample(topics, min(3, len(topics)))))
        client = Client()
        client.force_login(user)
        sessions.append(client.cookies[settings.SESSION_COOKIE_NAME].value)

    plan = {
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "csrf_cookie": settings.CSRF_COOKIE_NAME,
        "home": "/",
        "library": library,
        "library_filtered": filtered,
        "resources": resources,
        "events_index": urls(EventIndexPage.objects.live().public())[:1],
        "events": events,
        "open_events": [event.register_url() for event in open_events if event.register_url()],
        "working_groups": urls(WorkingGroupPage.objects.live().public()),
        "join": urls(JoinPage.objects.live().public())[:1],
        "search": search_paths() + cold_search_paths(2000),
        "autocomplete": AUTOCOMPLETE_PREFIXES,
        "sessions": sessions,
    }
    Path(out).write_text(json.dumps(plan))
    print(
        f"plan: {len(resources)} resources, {len(open_events)} events open for registration, "
        f"{len(plan['search'])} searches, {len(sessions)} members"
    )


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
