"""Page views and downloads are counted per object and day, cached views too,
with nothing about the visitor kept."""

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from wagtail.documents import get_document_model

from metrics import counting
from metrics.models import DocumentDownloadDaily, PageViewDaily

pytestmark = pytest.mark.django_db


def views_of(page):
    return sum(PageViewDaily.objects.filter(page_id=page.pk).values_list("views", flat=True))


def test_cached_and_uncached_anonymous_views_are_both_counted(client, home_page):
    first = client.get(home_page.url)
    second = client.get(home_page.url)
    assert first["X-Page-Cache"] == "miss"
    assert second["X-Page-Cache"] == "hit"
    call_command("flush_counts", stdout=open("/dev/null", "w"))
    row = PageViewDaily.objects.get(page_id=home_page.pk)
    assert row.views == 2
    assert row.date == timezone.localdate()


@override_settings(HUB_EXPOSE_CACHE_HEADER=False)  # as in production
def test_views_from_either_page_cache_are_counted_without_the_cache_header(client, home_page, make_user):
    client.get(home_page.url)
    client.get(home_page.url)  # the visitors' copy
    member = type(client)()
    member.force_login(make_user("reader", "Members"))
    member.get(home_page.url)
    member.get(home_page.url)  # the members' shared copy
    counting.flush()
    assert views_of(home_page) == 4


def test_counts_wait_in_the_cache_until_flushed_at_most_once_a_minute(client, home_page):
    client.get(home_page.url)  # the first request of the minute flushes
    assert views_of(home_page) == 1
    client.get(home_page.url)
    client.get(home_page.url)
    assert views_of(home_page) == 1  # counted in the cache only
    assert counting.flush() == 2
    assert views_of(home_page) == 3
    assert counting.flush() == 0  # nothing counted twice


def test_signed_in_views_are_counted(client, home_page, make_user):
    client.force_login(make_user("reader", "Members"))
    response = client.get(home_page.url)
    assert response["X-Page-Cache"] == "shared-miss"  # the members' copy, not the visitors'
    client.get(home_page.url)
    counting.flush()
    assert views_of(home_page) == 2


@override_settings(HUB_COUNT_VIEWS=False)
def test_nothing_is_counted_when_counting_is_off(client, home_page):
    client.get(home_page.url)
    client.get(home_page.url)
    counting.flush()
    assert PageViewDaily.objects.count() == 0


def test_robots_missing_pages_and_posts_are_not_counted(client, home_page):
    client.get(home_page.url, headers={"user-agent": "Googlebot/2.1"})
    client.get("/no-such-page/")
    client.post(home_page.url)
    counting.flush()
    assert PageViewDaily.objects.count() == 0


def test_a_cached_view_is_counted_even_after_the_counter_was_flushed(client, home_page):
    client.get(home_page.url)
    cache.delete(counting.FLUSH_DUE_KEY)
    client.get(home_page.url)  # a hit, and the minute is over: flushed now
    assert views_of(home_page) == 2


def test_no_address_or_visitor_detail_is_stored(client, home_page):
    client.get(home_page.url, REMOTE_ADDR="203.0.113.77", headers={"user-agent": "Firefox/140"})
    counting.flush()
    fields = {f.name for f in PageViewDaily._meta.get_fields()} | {
        f.name for f in DocumentDownloadDaily._meta.get_fields()
    }
    assert fields == {"id", "date", "page", "views", "document", "downloads"}
    stored = [str(value) for row in PageViewDaily.objects.values_list() for value in row]
    assert not any("203.0.113" in value or "Firefox" in value for value in stored)


@override_settings(WAGTAILDOCS_SERVE_METHOD="redirect")  # the tests' in-memory storage has no local file
def test_document_downloads_are_counted_per_day(client):
    document = get_document_model()(title="Toolkit PDF")
    document.file.save("toolkit.pdf", ContentFile(b"%PDF-1.4 demo"))
    assert client.get(document.url).status_code == 302
    assert client.get(document.url).status_code == 302
    assert client.get(f"/documents/{document.pk}/wrong-name.pdf").status_code == 404
    counting.flush()
    row = DocumentDownloadDaily.objects.get(document=document)
    assert row.downloads == 2
    assert row.date == timezone.localdate()


def test_counts_of_an_earlier_day_are_written_to_that_day(home_page):
    yesterday = timezone.localdate() - timezone.timedelta(days=1)
    counting.count(counting.PAGE_VIEWS, home_page.pk, day=yesterday)
    counting.count(counting.PAGE_VIEWS, home_page.pk, day=yesterday)
    counting.count(counting.PAGE_VIEWS, home_page.pk)
    assert counting.flush() == 3
    assert PageViewDaily.objects.get(page_id=home_page.pk, date=yesterday).views == 2
    assert PageViewDaily.objects.get(page_id=home_page.pk, date=timezone.localdate()).views == 1
    # The finished day's slot is not read again; today's stays open.
    counting.count(counting.PAGE_VIEWS, home_page.pk)
    assert counting.flush() == 1
    assert PageViewDaily.objects.get(page_id=home_page.pk, date=timezone.localdate()).views == 2


def test_counts_of_a_page_deleted_before_the_flush_are_dropped_without_error(home_page, make_resource):
    resource = make_resource("Short-lived")
    counting.count(counting.PAGE_VIEWS, resource.pk)
    counting.count(counting.PAGE_VIEWS, home_page.pk)
    resource.delete()
    counting.flush()
    assert list(PageViewDaily.objects.values_list("page_id", "views")) == [(home_page.pk, 1)]


def test_counts_are_still_written_after_the_slot_counter_is_evicted(home_page):
    yesterday = timezone.localdate() - timezone.timedelta(days=1)
    for _ in range(3):
        counting.count(counting.PAGE_VIEWS, home_page.pk, day=yesterday)
    counting.flush()
    cache.delete(counting.SLOTS_KEY)  # e.g. culled by a full local-memory cache
    counting.count(counting.PAGE_VIEWS, home_page.pk)
    assert counting.flush() == 1
    assert views_of(home_page) == 4
