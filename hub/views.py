from django.core.cache import cache
from django.core.mail import mailers
from django.db import DatabaseError, connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache


def liveness(request):
    """Answers 'ok' without touching the database: for load balancers, and the
    benchmark's measure of what this machine's Django stack can serve at most."""
    return HttpResponse("ok", content_type="text/plain")


def _database_status():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return "unavailable", "The database does not answer."
    return "ok", ""


def _cache_status():
    status = getattr(cache, "status", None)  # the hub's Redis backend asks Redis now
    return status() if status else ("ok", "")


def _search_status():
    from wagtail.search.backends import get_search_backend

    client = getattr(get_search_backend(), "es", None)
    if client is None:
        return "ok", ""  # the database backend: answered by the database
    try:
        reachable = client.ping()
    except Exception:  # noqa: BLE001 - any failure of the search service means unavailable
        reachable = False
    if not reachable:
        return (
            "unavailable",
            "The search service does not answer: searches use the database, writes are queued.",
        )
    return "ok", ""


def _mail_status():
    mailer = mailers.default
    # The hub's SMTP backend, or the mail queue in front of it, connects now.
    is_reachable = getattr(mailer, "is_reachable", None)
    if is_reachable is None or is_reachable():
        return "ok", ""
    return "unavailable", "The mail service does not answer: e-mails wait in the queue and are tried again."


READINESS_CHECKS = {
    "database": _database_status,
    "cache": _cache_status,
    "search": _search_status,
    "mail": _mail_status,
}


@never_cache
def readiness(request):
    """Whether the hub can serve, and which services it is serving without.

    200 "ready" when every service answers; 200 "degraded" when the cache,
    search or mail service does not (the hub serves on without it); 503
    "unavailable" when the database does not, since nothing works without it."""
    checks = {}
    for name, check in READINESS_CHECKS.items():
        status, detail = check()
        checks[name] = {"status": status, **({"detail": detail} if detail else {})}
    if checks["database"]["status"] != "ok":
        overall, code = "unavailable", 503
    elif any(check["status"] != "ok" for check in checks.values()):
        overall, code = "degraded", 200
    else:
        overall, code = "ready", 200
    return JsonResponse({"status": overall, "checks": checks}, status=code)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # Rendered without a request context: the database or the page tree may be
    # what failed, so 500.html relies on nothing but static files.
    return render(None, "500.html", status=500)
