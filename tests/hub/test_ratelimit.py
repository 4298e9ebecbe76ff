"""The client address every rate limit counts by, and the one limiter."""

import pytest
from django.core.cache import cache
from django.test import RequestFactory, override_settings

from hub.ratelimit import Limit, client_address, first_time


def request(remote, forwarded=None):
    headers = {"x_forwarded_for": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, headers=headers)


def test_the_client_is_remote_addr_when_no_proxy_is_trusted():
    assert client_address(request("198.51.100.7", "203.0.113.1")) == "198.51.100.7"


@override_settings(TRUSTED_PROXIES=["10.0.0.0/8", "2001:db8::1"])
@pytest.mark.parametrize(
    "remote, forwarded, client",
    [
        ("10.0.0.1", "198.51.100.7", "198.51.100.7"),
        # The right-most entry that is not one of our proxies; the left ones are the client's to write.
        ("10.0.0.1", "203.0.113.5, 198.51.100.7, 10.2.3.4", "198.51.100.7"),
        ("2001:db8::1", "2001:db8:ffff::9", "2001:db8:ffff::9"),
        # Only our proxies in the chain: the furthest of them.
        ("10.0.0.1", "10.9.9.9", "10.9.9.9"),
        # Garbage where an address should be: trust stops at the last proxy.
        ("10.0.0.1", "not-an-address", "10.0.0.1"),
        ("10.0.0.1", "", "10.0.0.1"),
        # A request that did not come through a trusted proxy: its header means nothing.
        ("198.51.100.20", "203.0.113.5", "198.51.100.20"),
    ],
)
def test_behind_a_trusted_proxy_the_client_is_the_right_most_untrusted_entry(remote, forwarded, client):
    assert client_address(request(remote, forwarded)) == client


def test_a_limit_counts_per_key_and_keeps_no_personal_data_in_the_key():
    limit = Limit("test", 2, 60)
    assert limit.hit("ana@example.org") and limit.hit("ana@example.org")
    assert not limit.hit("ana@example.org")
    assert limit.exceeded("ana@example.org") and not limit.exceeded("ben@example.org")
    assert "ana" not in limit.key("ana@example.org")
    limit.clear("ana@example.org")
    assert not limit.exceeded("ana@example.org")


def test_first_time_is_true_once_per_window():
    cache.clear()
    assert first_time("test-seen", 60, "a") is True
    assert first_time("test-seen", 60, "a") is False
    assert first_time("test-seen", 60, "b") is True
