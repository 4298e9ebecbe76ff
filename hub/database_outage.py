"""A clean 503 while the database does not answer.

When PostgreSQL is down, restarting or refusing connections, any request that
needs it fails with an ``OperationalError`` or ``InterfaceError``. Instead of
the 500 page (and a traceback in the log per request), the person gets a plain
503 page saying the hub is briefly unavailable, with ``Retry-After``, built
from a template that needs nothing but static files: no database, no request
context, no site settings.

Two places turn the error into that page, so every request is covered:

* ``DatabaseUnavailableMiddleware.process_exception`` for errors raised in a
  view or while its template renders (most of them);
* ``hub.views.server_error`` (``handler500``) for errors raised in a
  middleware (the site lookup, the session, the referral counter), which
  Django hands to the 500 handler.

A POST cut off this way keeps nothing half-written: the submissions that write
several rows do so in one transaction, which PostgreSQL rolls back when the
connection goes. Sessions are not saved on a 5xx answer. Pages already in the
anonymous page cache keep being served, as the cache is asked first.

Only errors that mean the database cannot be reached count: a failed or lost
connection (no SQLSTATE from psycopg, or SQLSTATE class 08), a server shutting
down or starting up (57P), out of connections or resources (53), and SQLite's
locked or unreadable file. A query the database refuses (a deadlock, a missing
table) stays a 500: that is a fault to fix, not an outage.

The outage is logged once, then at most once a minute with the number of
requests answered 503 meanwhile, so a busy site does not write a traceback
per request. Django closes the broken connection when the request ends
(``CONN_HEALTH_CHECKS`` tests a kept connection before each request reuses
it), so the first request after the database is back is served normally.
"""

import logging
import threading
import time

from django.db import InterfaceError, OperationalError
from django.http import JsonResponse
from django.shortcuts import render

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 60
LOG_EVERY_SECONDS = 60
MESSAGE = "The hub is briefly unavailable, please try again in a minute."
JSON_PREFIXES = ("/api/",)
# SQLSTATE classes: connection exception, insufficient resources (too many
# connections), operator intervention (shutdown, crash, starting up).
UNAVAILABLE_SQLSTATES = ("08", "53", "57P")
UNAVAILABLE_SQLITE_MESSAGES = ("database is locked", "unable to open database file", "disk i/o error")


def is_database_unavailable(error):
    """Whether ``error`` means the database cannot be reached now."""
    if isinstance(error, InterfaceError):
        return True  # the connection is already closed
    if not isinstance(error, OperationalError):
        return False
    cause = error.__cause__
    if type(cause).__module__ == "sqlite3":
        return str(cause).lower().startswith(UNAVAILABLE_SQLITE_MESSAGES)
    sqlstate = getattr(cause, "sqlstate", None)
    # psycopg gives no SQLSTATE when it cannot connect or the connection drops.
    return sqlstate is None or sqlstate.startswith(UNAVAILABLE_SQLSTATES)


class _OutageLog:
    """Logs the first failure, then once a minute how many requests were answered 503."""

    def __init__(self):
        self._lock = threading.Lock()
        self.forget()

    def forget(self):
        self.logged_at = None
        self.unlogged = 0

    def note(self, request, error):
        now = time.monotonic()
        with self._lock:
            if self.logged_at is not None and now - self.logged_at < LOG_EVERY_SECONDS:
                self.unlogged += 1
                return
            first, since_last = self.logged_at is None, self.unlogged
            self.logged_at, self.unlogged = now, 0
        reason = f"{type(error).__name__}: {str(error).strip().splitlines()[0] if str(error).strip() else ''}"
        if first:
            logger.warning(
                "The database does not answer (%s): %s %s and requests like it are answered 503",
                reason,
                request.method,
                request.path,
            )
        else:
            logger.warning(
                "The database still does not answer (%s): %s more requests answered 503 in the last minute",
                reason,
                since_last + 1,
            )


outage_log = _OutageLog()


def unavailable_response(request):
    """The 503 answer, made without the database."""
    if request is not None and request.path_info.startswith(JSON_PREFIXES):
        response = JsonResponse({"message": MESSAGE}, status=503)
    else:
        # No request: context processors would read the session, user and site settings.
        response = render(None, "503.html", {"message": MESSAGE}, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    # Logged here, once a minute: Django's request log would add a traceback per request.
    response._has_been_logged = True
    return response


def answer_unavailable(request, error):
    outage_log.note(request, error)
    return unavailable_response(request)


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_database_unavailable(exception):
            return answer_unavailable(request, exception)
        return None
