"""Request screening, the admin's Content-Security-Policy and idle sessions.

* ``RequestScreeningMiddleware`` comes first: it refuses methods the hub does not
  use (TRACE, TRACK, CONNECT, WebDAV, anything unknown) with a 405 at every
  address, and drops ``X-Forwarded-Proto`` unless the request came from one of
  ``TRUSTED_PROXIES``, so a client talking to the hub directly cannot claim HTTPS.
* ``AdminContentSecurityPolicyMiddleware`` gives the Wagtail and Django admin
  ``HUB_ADMIN_CSP`` instead of ``SECURE_CSP`` (the admin's own scripts and
  styles are partly inline); Django's ``ContentSecurityPolicyMiddleware`` writes
  the header.
* ``SessionIdleTimeoutMiddleware`` ends a session after a time without activity:
  ``HUB_SESSION_IDLE_STAFF`` seconds for anyone who can reach the admin,
  ``HUB_SESSION_IDLE_MEMBER`` for everyone else. The session's expiry is set at
  sign-in and moved on at most every ``HUB_SESSION_RENEW_EVERY`` seconds, not on
  every request (a session write each time would cost a database write per
  page view; ``SESSION_SAVE_EVERY_REQUEST`` stays off).
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponseNotAllowed

from hub.ratelimit import came_through_trusted_proxy

ALLOWED_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
ADMIN_PREFIXES = ("/admin/", "/django-admin/")
# When the session last showed activity (epoch seconds) and the idle limit it got then.
SESSION_SEEN_KEY = "hub_seen"
SESSION_IDLE_KEY = "hub_idle"
IDLE_MESSAGE = "You were signed out after a time without activity. Please sign in again."


class RequestScreeningMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ALLOWED_METHODS:
            return HttpResponseNotAllowed(
                ALLOWED_METHODS,
                content=f"This address does not answer {request.method[:20]} requests.",
                content_type="text/plain; charset=utf-8",
            )
        if "HTTP_X_FORWARDED_PROTO" in request.META and not came_through_trusted_proxy(request):
            del request.META["HTTP_X_FORWARDED_PROTO"]
        return self.get_response(request)


class AdminContentSecurityPolicyMiddleware:
    """Sits below Django's ContentSecurityPolicyMiddleware, which reads the policy
    a response carries (as its ``csp_override`` decorator leaves it)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(ADMIN_PREFIXES) and not hasattr(response, "_csp_config"):
            response._csp_config = settings.HUB_ADMIN_CSP
        return response


def can_reach_admin(user):
    return user.is_staff or user.has_perm("wagtailadmin.access_admin")


def idle_limit(user):
    """Seconds a session of ``user`` may stay unused."""
    return settings.HUB_SESSION_IDLE_STAFF if can_reach_admin(user) else settings.HUB_SESSION_IDLE_MEMBER


class SessionIdleTimeoutMiddleware:
    """After AuthenticationMiddleware and MessageMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        seen = session.get(SESSION_SEEN_KEY)
        if seen is not None:
            limit = session.get(SESSION_IDLE_KEY, settings.HUB_SESSION_IDLE_STAFF)
            if time.time() - seen > limit:
                # The store expires the session too; this also covers a limit
                # that was shortened since, and a clock-skewed cache entry.
                logout(request)
                messages.info(request, IDLE_MESSAGE)

        response = self.get_response(request)

        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            session = request.session
            seen = session.get(SESSION_SEEN_KEY)
            if (
                seen is None
                or int(time.time()) - seen >= settings.HUB_SESSION_RENEW_EVERY
                # A view changed the expiry after sign-in (the admin's "remember
                # me" box sets "until the browser closes"): the idle limit wins.
                or session.get("_session_expiry") != session.get(SESSION_IDLE_KEY)
            ):
                start_idle_clock(session, user)
        return response


def start_idle_clock(session, user):
    limit = idle_limit(user)
    session.set_expiry(limit)
    session[SESSION_SEEN_KEY] = int(time.time())
    session[SESSION_IDLE_KEY] = limit


def idle_clock_on_sign_in(sender, request, user, **kwargs):
    """``user_logged_in`` receiver: the clock starts with the session itself, so
    the first page after signing in does not write the session again."""
    if request is not None and hasattr(request, "session"):
        start_idle_clock(request.session, user)
