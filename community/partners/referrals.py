"""Referral counts: visits partners send us, per partner and day.

A visit counts when its address carries ``?ref=<partner code>`` (the partner
page's slug) or when the browser says it came from a partner's website. Only
the daily count is stored: no address, no cookie, nothing about the visitor.
One client (its address, as ``hub.ratelimit.client_address`` reads it) counts
once per partner and way in ``REPEAT_SECONDS``, so a loop cannot inflate a
count; what tells repeats apart is a salted hash in the cache that expires
with that window.

The middleware sits in front of the anonymous page cache, so cached page views
count too, and it removes ``ref`` from the address before the cache sees it,
so every partner's visitors share the one cached copy of a page.
"""

import logging
from urllib.parse import parse_qsl, urlencode, urlsplit

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from hub.cache import current_generation
from hub.ratelimit import client_address, first_time

logger = logging.getLogger(__name__)

REF_PARAMETER = "ref"
SKIPPED_PREFIXES = ("/static/", "/media/", "/admin/", "/django-admin/", "/documents/", "/api/", "/__debug__/")
LINK = "via_link"
WEBSITE = "via_website"
REPEAT_SECONDS = 30 * 60


def partner_codes():
    """``({code: partner id}, {host: partner id})`` of live partner pages, cached
    until the next publish."""
    key = f"hub:partner-referrals:{current_generation()}"
    codes = cache.get(key)
    if codes is None:
        from community.models import PartnerCommunityPage

        by_code, by_host = {}, {}
        for partner in PartnerCommunityPage.objects.live().only("pk", "slug", "website", "referral_domains"):
            by_code[partner.slug.lower()] = partner.pk
            for host in partner.referral_hosts():
                by_host[host] = partner.pk
        codes = (by_code, by_host)
        cache.set(key, codes, 3600)
    return codes


def count_referral(partner_id, via, day=None):
    """Add one visit to the partner's count for the day: one UPDATE, or an INSERT
    on the day's first visit."""
    from community.models import ReferralCount

    day = day or timezone.localdate()
    updated = ReferralCount.objects.filter(partner_id=partner_id, day=day).update(**{via: F(via) + 1})
    if updated:
        return
    try:
        with transaction.atomic():
            ReferralCount.objects.create(partner_id=partner_id, day=day, **{via: 1})
    except IntegrityError:
        # Another request created the day's row first.
        ReferralCount.objects.filter(partner_id=partner_id, day=day).update(**{via: F(via) + 1})


def _host(value):
    try:
        return (urlsplit(value).hostname or "").lower().removeprefix("www.")
    except ValueError:
        return ""


class ReferralMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method != "GET" or request.path.startswith(SKIPPED_PREFIXES):
            return self.get_response(request)
        code = self._take_ref(request)
        referer = request.META.get("HTTP_REFERER", "")
        if not code and not referer:
            return self.get_response(request)

        response = self.get_response(request)
        if response.status_code < 400:
            try:
                with transaction.atomic():
                    self._count(request, code, referer)
            except Exception:
                # A count is never worth a failed page view.
                logger.exception("Could not count a partner referral")
        return response

    @staticmethod
    def _take_ref(request):
        """The ``ref`` value, removed from the query string so the page (and
        the page cache's key) is the same with or without it."""
        query = request.META.get("QUERY_STRING", "")
        if f"{REF_PARAMETER}=" not in query:
            return ""
        pairs = parse_qsl(query, keep_blank_values=True)
        codes = [value for name, value in pairs if name == REF_PARAMETER]
        if not codes:
            return ""
        request.META["QUERY_STRING"] = urlencode([(n, v) for n, v in pairs if n != REF_PARAMETER])
        if hasattr(request, "GET"):
            # Rebuilt from the new query string on next access.
            del request.GET
        return codes[0].strip().lower()[:100]

    @staticmethod
    def _count(request, code, referer):
        host = "" if code else _host(referer)
        if not code and (not host or host == _host(f"//{request.get_host()}")):
            # Moving around the hub itself: nothing to look up.
            return
        by_code, by_host = partner_codes()
        if code:
            partner_id, via = by_code.get(code), LINK
        else:
            partner_id, via = by_host.get(host), WEBSITE
        if partner_id is not None and first_time(
            "referral", REPEAT_SECONDS, partner_id, via, client_address(request)
        ):
            count_referral(partner_id, via)
