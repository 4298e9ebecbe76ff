"""The anonymous page cache serves repeat views and forgets pages as soon as
anything they show changes; signed-in people never touch it."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache
from wagtail.models import PageViewRestriction

from home.factories import StandardPageFactory
from hub.cache import AnonymousPageCacheMiddleware, current_generation, purge_page_cache
from hub.models import HubSettings, Topic

pytestmark = pytest.mark.django_db


@pytest.fixture
def about(home_page):
    page = StandardPageFactory(
        parent=home_page, title="About us", slug="about-us", introduction="First words"
    )
    page.save_revision().publish()
    return page


def get_twice(client, url):
    first = client.get(url)
    second = client.get(url)
    return first, second


def test_anonymous_page_view_is_stored_then_served_from_the_cache(client, about):
    first, second = get_twice(client, about.url)
    assert first.status_code == 200
    assert first["X-Page-Cache"] == "miss"
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]


def test_cached_page_is_purged_when_the_page_is_published_again(client, about):
    get_twice(client, about.url)
    about.introduction = "Second words"
    about.save_revision().publish()
    response = client.get(about.url)
    assert response["X-Page-Cache"] == "miss"
    assert b"Second words" in response.content


def test_other_pages_are_purged_too_because_they_show_menus_and_listings(client, home_page, about):
    get_twice(client, home_page.url)
    about.title = "About the Community"
    about.show_in_menus = True
    about.save_revision().publish()
    response = client.get(home_page.url)
    assert response["X-Page-Cache"] == "miss"
    assert b"About the Community" in response.content


def test_unpublished_page_is_no_longer_served_from_the_cache(client, about):
    get_twice(client, about.url)
    about.unpublish()
    assert client.get(about.url).status_code == 404


def test_deleted_page_is_no_longer_served_from_the_cache(client, about):
    url = about.url
    get_twice(client, url)
    about.delete()
    assert client.get(url).status_code == 404


def test_moved_page_is_purged(client, home_page, about):
    other = StandardPageFactory(parent=home_page, title="Other", slug="other")
    other.save_revision().publish()
    old_url = about.url
    get_twice(client, old_url)
    about.move(other, pos="last-child")
    response = client.get(old_url)
    # Wagtail leaves a permanent redirect behind; the stale page is gone.
    assert response.status_code == 301
    assert response["Location"].endswith("/other/about-us/")


def test_making_a_page_private_purges_it(client, about):
    get_twice(client, about.url)
    PageViewRestriction.objects.create(page=about, restriction_type=PageViewRestriction.LOGIN)
    response = client.get(about.url)
    assert response.status_code == 302
    assert response["Location"].startswith("/account/sign-in/?next=")


def test_changing_a_taxonomy_term_or_site_settings_purges(client, site, about):
    for change in (
        lambda: Topic.objects.create(name="Brand new topic"),
        lambda: HubSettings.for_site(site).save(),
    ):
        get_twice(client, about.url)
        change()
        assert client.get(about.url)["X-Page-Cache"] == "miss"


def test_signed_in_people_are_never_served_or_stored(client, make_user, about):
    client.get(about.url)  # stored for anonymous visitors
    client.force_login(make_user("reader", "Members"))
    response = client.get(about.url)
    # Not the visitors' copy: the members' shared one (hub/personal.py).
    assert response["X-Page-Cache"] == "shared-miss"
    assert b"Sign out" in response.content
    client.logout()
    cache.clear()
    client.force_login(make_user("reader2", "Members"))
    client.get(about.url)
    client.logout()
    assert client.get(about.url)["X-Page-Cache"] == "miss"


def test_only_marked_responses_are_stored(rf):
    from django.http import HttpResponse

    response = HttpResponse("hello")
    request = rf.get("/anything/")
    assert not AnonymousPageCacheMiddleware.response_may_be_stored(request, response)
    response.hub_page_cacheable = True
    assert AnonymousPageCacheMiddleware.response_may_be_stored(request, response)
    response.set_cookie("csrftoken", "abc")
    assert not AnonymousPageCacheMiddleware.response_may_be_stored(request, response)


def test_post_requests_and_session_cookies_bypass_the_cache(rf, settings):
    assert not AnonymousPageCacheMiddleware.request_may_use_cache(rf.post("/"))
    request = rf.get("/")
    request.COOKIES[settings.SESSION_COOKIE_NAME] = "abc"
    assert not AnonymousPageCacheMiddleware.request_may_use_cache(request)
    assert not AnonymousPageCacheMiddleware.request_may_use_cache(rf.get("/admin/pages/"))
    assert AnonymousPageCacheMiddleware.request_may_use_cache(rf.get("/resources/?topic=ccbhc"))


def test_purge_moves_the_generation_on():
    before = current_generation()
    purge_page_cache()
    assert current_generation() != before


def test_a_purge_inside_a_transaction_moves_the_generation_on_again_at_commit(
    django_capture_on_commit_callbacks,
):
    # What another process rebuilt between the change and the commit read
    # the database as it was before: the commit makes it stale again.
    with django_capture_on_commit_callbacks(execute=True):
        purge_page_cache()
        during = current_generation()
    assert current_generation() != during


@pytest.mark.skipif(not os.environ.get("REDIS_TEST_URL"), reason="REDIS_TEST_URL is not set (CI sets it)")
def test_with_redis_a_purge_in_another_process_reaches_this_one():
    from django.core.cache import caches
    from django.test import override_settings

    redis_cache = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["REDIS_TEST_URL"],
        "KEY_PREFIX": "hub-test",
    }
    with override_settings(CACHES={"default": redis_cache}):
        before = current_generation()
        env = dict(os.environ, REDIS_URL=os.environ["REDIS_TEST_URL"], CACHE_KEY_PREFIX="hub-test")
        env.pop("DATABASE_URL", None)
        code = "import django; django.setup(); from hub.cache import purge_page_cache; purge_page_cache()"
        result = subprocess.run(
            [sys.executable, "-c", code],
            cwd=Path(__file__).resolve().parents[2],
            env=dict(env, DJANGO_SETTINGS_MODULE="hub.settings.dev"),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        assert current_generation() != before
        caches["default"].clear()


def test_group_changes_take_effect_at_once_for_members_only_listings(make_user, home_page, rf):
    from django.contrib.auth.models import Group

    from hub.privacy import visible_pages

    private = StandardPageFactory(parent=home_page, title="Members area", slug="members-area")
    restriction = PageViewRestriction.objects.create(
        page=private, restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.set(Group.objects.filter(name="Members"))
    person = make_user("newcomer")
    request = rf.get("/")
    request.user = person
    assert not visible_pages(type(private).objects.filter(pk=private.pk), request).exists()
    person.groups.add(Group.objects.get(name="Members"))
    request.user = type(person).objects.get(pk=person.pk)
    assert visible_pages(type(private).objects.filter(pk=private.pk), request).exists()
    Group.objects.get(name="Members").user_set.remove(person)
    request.user = type(person).objects.get(pk=person.pk)
    assert not visible_pages(type(private).objects.filter(pk=private.pk), request).exists()


def test_a_request_reads_the_generation_once_and_sees_its_own_purge_at_once(rf):
    from django.core.cache import caches
    from django.http import HttpResponse

    current_generation()  # the generation exists
    seen, reads = [], []
    backend = caches["default"]
    original = backend.get

    def counting_get(key, *args, **kwargs):
        if key == "hub:pagecache:generation":
            reads.append(key)
        return original(key, *args, **kwargs)

    def view(request):
        seen.append(current_generation())
        seen.append(current_generation())
        purge_page_cache()
        seen.append(current_generation())
        return HttpResponse("ok")

    backend.get = counting_get
    try:
        AnonymousPageCacheMiddleware(view)(rf.get("/health/live/"))
    finally:
        backend.get = original
    assert seen[0] == seen[1] != seen[2]
    assert len(reads) == 2  # once at first, once after the purge
    # Outside a request every call reads the cache, as before.
    before = current_generation()
    purge_page_cache()
    assert current_generation() != before
