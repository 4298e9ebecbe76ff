"""Checking the external links of resources and partner pages.

Each link is asked for with HEAD (GET when the server does not take HEAD),
following redirects, with a 5-second timeout, through ``hub.outbound`` (so no
internal address is visited, at the start or after a redirect). Timeouts,
connection failures, refused addresses and 4xx/5xx answers mark it broken; a
redirect is noted with where it ends up.
The latest result per link is kept in ``LinkCheck`` for the admin report.
"""

from django.utils import timezone

from hub import outbound

TIMEOUT = 5
MAX_REDIRECTS = 5
USER_AGENT = "CoP-Knowledge-Hub-link-checker/1.0"
HEAD_REFUSED = {403, 405, 501}


def external_links():
    """(page, field label, url) for every external link of live resources and partner pages."""
    from community.models import PartnerCommunityPage
    from knowledge.models import ResourcePage

    for resource in ResourcePage.objects.live().exclude(source_url="").only("pk", "title", "source_url"):
        yield resource, "Original source", resource.source_url
    partners = PartnerCommunityPage.objects.live().only(
        "pk", "title", "website", "news_feed_url", "events_feed_url"
    )
    for partner in partners:
        for label, url in (
            ("Website", partner.website),
            ("News feed", partner.news_feed_url),
            ("Events calendar", partner.events_feed_url),
        ):
            if url:
                yield partner, label, url


def check_url(url):
    """(status code or None, final url, problem or "")."""
    headers = {"User-Agent": USER_AGENT}
    try:
        response = outbound.fetch(
            url, method="HEAD", headers=headers, timeout=TIMEOUT, max_redirects=MAX_REDIRECTS
        )
        response.close()
        if response.status_code in HEAD_REFUSED:
            response = outbound.fetch(url, headers=headers, timeout=TIMEOUT, max_redirects=MAX_REDIRECTS)
            response.close()
    except outbound.TimedOut:
        return None, "", f"No answer within {TIMEOUT} seconds."
    except outbound.TooManyRedirects:
        return None, "", f"More than {MAX_REDIRECTS} redirects."
    except outbound.OutboundProblem as error:
        # An internal address (at the start or after a redirect), an unknown
        # host, a refused connection: the reason in plain words.
        return None, "", str(error)
    final_url = response.url if response.url != url else ""
    if response.status_code >= 400:
        return (
            response.status_code,
            final_url,
            f"The server answered {response.status_code} {response.reason}.",
        )
    return response.status_code, final_url, ""


def check_all(stdout=None):
    """Check every external link; returns the LinkCheck rows written."""
    from community.models import LinkCheck

    started = timezone.now()
    results, cache = [], {}
    for page, label, url in external_links():
        if url not in cache:
            cache[url] = check_url(url)
        status, final_url, problem = cache[url]
        check, _ = LinkCheck.objects.update_or_create(
            page_id=page.pk,
            field=label,
            url=url,
            defaults={
                "status_code": status,
                "final_url": final_url[:1000],
                "problem": problem,
                "is_broken": bool(problem),
                "checked_at": started,
            },
        )
        results.append(check)
        if stdout is not None and problem:
            stdout.write(f"Broken: {page.title} ({label}): {url}: {problem}")
    # Links no longer on any page drop out of the report.
    LinkCheck.objects.filter(checked_at__lt=started).delete()
    return results
