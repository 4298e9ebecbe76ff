import sys

from django.conf import settings
from django.core.cache import cache
from django.core.mail import mailers
from django.db import DatabaseError, connection
from django.db.models import Case, Count, F, Min, When
from django.db.models.functions import Greatest
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from hub import database_outage


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


def _database_task_backends():
    return [
        alias
        for alias, config in settings.TASKS.items()
        if config["BACKEND"] == "django_tasks_db.DatabaseBackend"
    ]


def _tasks_status():
    """How many tasks of the database queues (the mail queue) a worker could
    take now, and how long the oldest has waited: ``backlog`` when that is more
    than ``HUB_READY_TASK_BACKLOG_SECONDS``, which means no worker is taking
    them. A task waits from when it was queued, or for a later try from its
    ``run_after``; tries not due yet are not waiting."""
    from django_tasks_db.models import DBTaskResult, get_date_max

    waiting_since = Case(
        When(run_after=get_date_max(), then=F("enqueued_at")),
        default=Greatest("enqueued_at", "run_after"),
    )
    try:
        queue = DBTaskResult.objects.ready().filter(backend_name__in=_database_task_backends())
        found = queue.aggregate(waiting=Count("pk"), oldest=Min(waiting_since))
    except DatabaseError:
        return "unavailable", "The task queue cannot be read: the database does not answer."
    oldest_seconds = None
    if found["oldest"] is not None:
        oldest_seconds = max(0, int((timezone.now() - found["oldest"]).total_seconds()))
    numbers = {"waiting": found["waiting"], "oldest_waiting_seconds": oldest_seconds}
    if oldest_seconds is not None and oldest_seconds > settings.HUB_READY_TASK_BACKLOG_SECONDS:
        minutes = oldest_seconds // 60
        return (
            "backlog",
            f"{found['waiting']} tasks are waiting, the oldest for {minutes} minutes: "
            "no worker is taking them (manage.py db_worker --backend mail).",
            numbers,
        )
    return "ok", "", numbers


READINESS_CHECKS = {
    "database": _database_status,
    "cache": _cache_status,
    "search": _search_status,
    "mail": _mail_status,
    "tasks": _tasks_status,
}


@never_cache
def readiness(request):
    """Whether the hub can serve, and which services it is serving without.

    200 "ready" when every service answers; 200 "degraded" when the cache,
    search or mail service does not (the hub serves on without it) or the task
    queue has a backlog; 503 "unavailable" when the database does not, since
    nothing works without it. A check answers (status, detail) and may add a
    dict of numbers for its entry."""
    checks = {}
    for name, check in READINESS_CHECKS.items():
        status, detail, *numbers = check()
        checks[name] = {"status": status, **(numbers[0] if numbers else {})}
        if detail:
            checks[name]["detail"] = detail
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
    # An error raised in a middleware while the database does not answer (the
    # site lookup, the session) comes here: the same 503 as from a view.
    error = sys.exception()
    if database_outage.is_database_unavailable(error):
        return database_outage.answer_unavailable(request, error)
    # Rendered without a request context: the database or the page tree may be
    # what failed, so 500.html relies on nothing but static files.
    return render(None, "500.html", status=500)
