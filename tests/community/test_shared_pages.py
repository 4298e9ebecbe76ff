"""Members' pages shared by everyone who may see the same pages, with the
personal parts filled in per person (hub/personal.py, hub/cache.py
SharedPageCacheMiddleware).

What must hold: each person sees their own name, Follow state and a CSRF
token that works; the stored copy holds nothing of anyone; copies never cross
audiences; a page that read the person is not stored; editors are never
served a shared copy; a publish purges it."""

import re

import pytest
from django.core.cache import cache
from django.test import Client, RequestFactory

from community.models import MemberProfile
from hub import personal
from hub.cache import SharedPageCacheMiddleware
from hub.models import Topic
from knowledge.factories import ResourcePageFactory

from .conftest import publish

pytestmark = pytest.mark.django_db


def signed_in(user, **kwargs):
    client = Client(**kwargs)
    client.force_login(user)
    return client


def shared_entries():
    found = []
    for raw_key in list(cache._cache):
        key = raw_key.split(":", 2)[-1]
        if ":shared:" in key:
            found.append(cache.get(key))
    return [entry for entry in found if entry is not None]


@pytest.fixture
def resource(library):
    page = ResourcePageFactory(parent=library, title="Peer support toolkit")
    page.topics = [Topic.objects.get(slug="peer-support")]
    return publish(page)


@pytest.fixture
def two_members(make_user):
    morgan = make_user("morgan", "Members", first_name="Morgan", last_name="Rivera")
    alex = make_user("alex", "Members", first_name="Alex", last_name="Okafor")
    return morgan, alex


def test_two_members_share_one_copy_and_each_sees_their_own_name_and_follows(two_members, resource):
    morgan, alex = two_members
    topic = Topic.objects.get(slug="peer-support")
    MemberProfile.objects.get_or_create(user=morgan)[0].topics.add(topic)

    first = signed_in(morgan).get(resource.url)
    second = signed_in(alex).get(resource.url)
    assert first["X-Page-Cache"] == "shared-miss" and second["X-Page-Cache"] == "shared-hit"

    morgan_html, alex_html = first.content.decode(), second.content.decode()
    assert "Signed in as </span>Morgan Rivera" in morgan_html and "Alex" not in morgan_html
    assert "Signed in as </span>Alex Okafor" in alex_html and "Morgan" not in alex_html
    assert f"You follow {topic.name}." in morgan_html
    assert f"You follow {topic.name}." not in alex_html and f"</span> {topic.name}</button>" in alex_html

    # The stored copy holds markers where the people were, and none of them.
    (entry,) = shared_entries()
    stored = entry[2]
    assert personal.MARKER.search(stored)
    for secret in (b"Morgan", b"Alex", b"morgan", b"alex", b"csrfmiddlewaretoken", b"You follow"):
        assert secret not in stored


def test_the_token_in_a_shared_page_is_the_readers_own_and_works(two_members, resource):
    morgan, alex = two_members
    signed_in(morgan).get(resource.url)  # fills the shared copy
    client = signed_in(alex, enforce_csrf_checks=True)
    response = client.get(resource.url)
    assert response["X-Page-Cache"] == "shared-hit"
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode()).group(1)
    topic = Topic.objects.get(slug="peer-support")
    followed = client.post(
        "/account/follow/",
        {
            "csrfmiddlewaretoken": token,
            "kind": "topic",
            "id": topic.pk,
            "action": "follow",
            "next": resource.url,
        },
    )
    assert followed.status_code == 303
    assert MemberProfile.objects.get(user=alex).topics.filter(pk=topic.pk).exists()
    # Signing out from the header of a shared page works too.
    html = client.get(resource.url).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    assert client.post("/account/sign-out/", {"csrfmiddlewaretoken": token}).status_code != 403
    assert "_auth_user_id" not in client.session


def test_copies_never_cross_audiences(make_user, library, restrict):
    group_page = restrict(
        publish(ResourcePageFactory(parent=library, title="Partner network papers")), "Partners"
    )
    insider = make_user("sky", "Members", "Partners")
    outsider = make_user("rey", "Members")
    inside = signed_in(insider).get(library.url)
    outside = signed_in(outsider).get(library.url)
    assert inside["X-Page-Cache"] == "shared-miss" and outside["X-Page-Cache"] == "shared-miss"
    assert group_page.title in inside.content.decode()
    assert group_page.title not in outside.content.decode()
    assert signed_in(make_user("kai", "Members")).get(library.url)["X-Page-Cache"] == "shared-hit"


def test_a_page_that_reads_the_person_is_served_but_not_stored(rf, make_user, home_page):
    from django.http import HttpResponse
    from django.template import Context, Template

    def page(request):
        response = HttpResponse(Template("{{ request.user.email }}").render(Context({"request": request})))
        response.hub_page_cacheable = True
        return response

    from django.contrib.sessions.backends.cache import SessionStore

    middleware = SharedPageCacheMiddleware(page)
    request = rf.get("/somewhere/")
    request.user = make_user("morgan", "Members")
    request.session = SessionStore()
    request.COOKIES["sessionid"] = "x"
    response = middleware(request)
    assert response.content == b"morgan@example.org"
    assert response["X-Page-Cache"] == "personal: user.email"
    assert not shared_entries()


def test_editors_are_never_served_a_shared_copy(make_user, resource):
    editor = make_user("ed", "Editors")
    signed_in(make_user("morgan", "Members")).get(resource.url)
    response = signed_in(editor).get(resource.url)
    assert "X-Page-Cache" not in response
    assert "Signed in as </span>ed" in response.content.decode()


def test_a_publish_purges_the_shared_copy(two_members, resource):
    morgan, alex = two_members
    signed_in(morgan).get(resource.url)
    resource.title = "Peer support toolkit, second edition"
    publish(resource)
    response = signed_in(alex).get(resource.url)
    assert response["X-Page-Cache"] == "shared-miss"
    assert "second edition" in response.content.decode()


def test_visitors_share_the_join_form_and_each_gets_a_working_token(join_page):
    first = Client(enforce_csrf_checks=True)
    second = Client(enforce_csrf_checks=True)
    one, two = first.get(join_page.url), second.get(join_page.url)
    assert one["X-Page-Cache"] == "shared-miss" and two["X-Page-Cache"] == "shared-hit"
    tokens = [
        re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', r.content.decode()).group(1)
        for r in (one, two)
    ]
    assert tokens[0] != tokens[1]
    assert "csrftoken" in one.cookies and "csrftoken" in two.cookies
    # The second visitor's token is accepted: the form answers (an error
    # for the empty form, with the form kept), not the 403 of a bad token.
    answer = second.post(join_page.url, {"csrfmiddlewaretoken": tokens[1]})
    assert answer.status_code in (200, 400)
    assert b"csrfmiddlewaretoken" in answer.content


def test_the_watch_notes_what_a_render_read(make_user):
    request = RequestFactory().get("/")
    request.user = make_user("morgan")
    request.META["CSRF_COOKIE"] = "x" * 32
    with personal.watch(request):
        assert request.user.is_authenticated
        assert not request.hub_personal_reads
        assert request.user.username == "morgan"
        assert str(request.user) == "morgan"
    assert request.hub_personal_reads == {"user.username", "user printed"}
    assert request.user.username == "morgan" and not request.hub_shared_render


def test_the_length_sent_is_the_length_of_the_filled_page(rf, make_user, home_page):
    from django.contrib.sessions.backends.cache import SessionStore
    from django.http import HttpResponse

    def page(request):
        body = personal.part(request, "account_menu").encode()
        response = HttpResponse(body)
        response["Content-Length"] = str(len(body))
        response.hub_page_cacheable = True
        return response

    middleware = SharedPageCacheMiddleware(page)
    for username in ("morgan", "alexandra-with-a-longer-name"):
        request = rf.get("/somewhere/")
        request.user = make_user(username, "Members")
        request.session = SessionStore()
        request.COOKIES["sessionid"] = "x"
        response = middleware(request)
        assert username.encode() in response.content
        assert response.get("Content-Length") in (None, str(len(response.content)))
    assert response["X-Page-Cache"] == "shared-hit"
