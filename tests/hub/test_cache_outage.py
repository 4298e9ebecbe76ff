"""The hub's Redis backend (hub/cache_backend.py): an unreachable Redis is an
empty cache that keeps nothing, and when Redis answers again nothing stale
comes back. Redis here is real: a closed port for the outage, and the test
Redis (REDIS_TEST_URL) behind a local proxy that can be cut and restored."""

import os
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse

from hub import cache_backend
from hub.cache import current_generation
from hub.cache_backend import ResilientRedisCache

from .faulty_services import SwitchableProxy, closed_port

REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "")


def test_an_unreachable_redis_reads_as_an_empty_cache_that_keeps_nothing():
    unreachable = ResilientRedisCache(f"redis://127.0.0.1:{closed_port()}/0", {})
    assert unreachable.set("key", 1) is None
    assert unreachable.get("key") is None
    assert unreachable.get("key", "default") == "default"
    assert unreachable.add("key", 1) is False
    with pytest.raises(ValueError):
        unreachable.incr("key")
    assert unreachable.get_many(["key", "other"]) == {}
    assert unreachable.has_key("key") is False
    assert unreachable.delete("key") is False
    assert unreachable.set_many({"key": 1, "other": 2}) == ["key", "other"]
    assert unreachable.get_or_set("key", 3) == 3
    assert unreachable.clear() is False
    assert unreachable.status()[0] == "unavailable"


@pytest.mark.django_db
def test_without_the_cache_sign_in_limits_let_people_through_and_page_views_are_not_an_error(
    make_user, home_page
):
    make_user("morgan", "Members")
    closed = {
        "default": {
            "BACKEND": "hub.cache_backend.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
        }
    }
    with override_settings(CACHES=closed, HUB_COUNT_VIEWS=True):
        client = Client()
        for _ in range(8):
            response = client.post(reverse("login"), {"username": "morgan", "password": "wrong-password"})
            assert response.status_code == 400  # a wrong password, never a lockout nor an error
        # The limit cannot count while the cache is away: it fails open.
        response = client.post(reverse("login"), {"username": "morgan", "password": "pw-for-tests"})
        assert response.status_code == 302
        assert client.get("/").status_code == 200  # a counted page view, the count lost
        assert (
            client.get(
                "/?ref=midwest-peer-alliance", headers={"referer": "https://partner.example/"}
            ).status_code
            == 200
        )


@pytest.mark.skipif(not REDIS_TEST_URL, reason="REDIS_TEST_URL is not set")
@pytest.mark.django_db
def test_when_redis_answers_again_the_page_cache_moves_on_and_sessions_signed_out_meanwhile_stay_out(
    make_user, home_page, monkeypatch
):
    monkeypatch.setattr(cache_backend, "RETRY_SECONDS", 0)  # try Redis again at once
    make_user("morgan", "Members")
    redis = urlsplit(REDIS_TEST_URL)
    with SwitchableProxy(redis.hostname, redis.port or 6379) as proxy:
        location = f"redis://127.0.0.1:{proxy.port}{redis.path or '/0'}"
        caches = {
            "default": {
                "BACKEND": "hub.cache_backend.ResilientRedisCache",
                "LOCATION": location,
                "KEY_PREFIX": "hub-fault-test",
            }
        }
        with override_settings(CACHES=caches):
            cache.clear()
            person = Client()
            assert (
                person.post(reverse("login"), {"username": "morgan", "password": "pw-for-tests"}).status_code
                == 302
            )
            old_cookie = person.cookies["sessionid"].value
            before = current_generation()

            proxy.cut()
            assert cache.status()[0] == "unavailable"
            during = current_generation()
            assert during != before
            # Signing out during the outage deletes the session from the database only.
            assert person.post(reverse("logout")).status_code < 400

            proxy.restore()
            assert cache.status()[0] == "ok"
            after = current_generation()
            # Pages cached before the outage may predate publishes made during it.
            assert after not in (before, during)
            # The cached copy of the signed-out session is gone with them.
            stranger = Client()
            stranger.cookies["sessionid"] = old_cookie
            response = stranger.get(reverse("account-profile"))
            assert response.status_code == 302 and reverse("login") in response["Location"]
            cache.clear()
