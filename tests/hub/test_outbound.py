"""hub.outbound: which addresses the hub refuses to fetch, before any request."""

import pytest
from django.test import override_settings

from hub import outbound


@pytest.mark.parametrize(
    "address",
    [
        "0.0.0.0",
        "127.0.0.1",
        "127.8.9.10",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "169.254.170.2",
        "100.64.0.1",
        "100.100.100.200",
        "192.0.0.192",
        "198.18.0.1",
        "224.0.0.1",
        "239.255.255.250",
        "240.0.0.1",
        "255.255.255.255",
        "::",
        "::1",
        "fe80::1",
        "fc00::1",
        "fd00:ec2::254",
        "ff02::1",
        "ff0e::1",
        "::ffff:127.0.0.1",
        "::ffff:169.254.169.254",
        "64:ff9b::a00:1",
        "2002:7f00:1::",
        "2001:db8::1",
    ],
)
def test_internal_reserved_and_metadata_addresses_are_not_public(address):
    assert not outbound.is_public_address(address)


@pytest.mark.parametrize("address", ["93.184.215.14", "8.8.8.8", "2606:4700:4700::1111"])
def test_addresses_on_the_internet_are_public(address):
    assert outbound.is_public_address(address)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://localhost/",
        "http://2130706433/",
        "http://0x7f000001/",
        "http://127.1/",
        "http://0/",
        "http://[::1]:8000/",
        "http://[::ffff:7f00:1]/",
        "https://169.254.169.254/latest/meta-data/",
        "http://[fd00:ec2::254]/",
    ],
)
def test_addresses_that_lead_inside_are_refused_however_they_are_written(url):
    with pytest.raises(outbound.Refused, match="internal network address"):
        outbound.check_address(url)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("file:///etc/passwd", "Only web addresses"),
        ("gopher://partner.example.org/", "Only web addresses"),
        ("ftp://partner.example.org/feed.xml", "Only web addresses"),
        ("http://user:secret@partner.example.org/", "user name or password"),
        ("https://user@partner.example.org/", "user name or password"),
        ("http:///feed.xml", "no host name"),
        ("http://partner.example.org:99999/", "not a valid web address"),
    ],
)
def test_other_schemes_and_addresses_with_credentials_are_refused(url, reason):
    with pytest.raises(outbound.Refused, match=reason):
        outbound.fetch(url)


def test_a_host_name_that_cannot_be_found_is_not_refused_by_the_address_check():
    outbound.check_address("https://no-such-host.invalid/resource")


def test_the_allow_list_exempts_only_the_host_and_port_it_names():
    with override_settings(HUB_OUTBOUND_ALLOWED_HOSTS=["127.0.0.1:8123"]):
        outbound.check_address("http://127.0.0.1:8123/feed.xml")
        with pytest.raises(outbound.Refused):
            outbound.check_address("http://127.0.0.1:8124/feed.xml")
        with pytest.raises(outbound.Refused):
            outbound.check_address("http://10.0.0.1:8123/feed.xml")


def test_nothing_internal_is_allowed_by_default(settings):
    assert settings.HUB_OUTBOUND_ALLOWED_HOSTS == []
