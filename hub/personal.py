"""The personal parts of shared pages.

A page is the same for everyone who may see the same pages
(``hub.privacy.visibility_key``) except for a few parts that belong to the
person reading it: the header's account menu, the call to join or the state
of their application, Follow buttons, a form's CSRF token. Templates mark each
such part with ``{% personal "name" arg ... %}`` (hub_tags), and each part has
a renderer registered here under its name.

Rendered the ordinary way, the tag renders the part in place. While a page is
rendered *for sharing* (``hub.cache.SharedPageCacheMiddleware`` sets
``request.hub_shared_render``), the tag writes a marker instead; the shared
copy, markers and all, is kept under the audience's key, and every response
made from it (the first one included) has its markers filled for the person
asking, by ``fill``.

A render is shared only if it showed nothing of the person outside the
personal parts. ``watch`` keeps the evidence: the user object is handed to
the page through a proxy that notes any attribute read other than
``is_authenticated``, ``is_anonymous`` and ``is_active``; reading the session
or asking for a CSRF token also count. A page that did any of these is served
as rendered and never stored (hub/cache.py).

Renderers get only the request and the marker's arguments (ints and short
strings written by the template, never typed by a person); they must work
for visitors and signed-in people alike.
"""

import base64
import json
import re

from django.utils.functional import SimpleLazyObject, empty
from django.utils.safestring import mark_safe

_RENDERERS = {}
MARKER = re.compile(rb"<!--hub-personal:([a-z_]+):([A-Za-z0-9_=-]*)-->")
# What a shared render may know of the person: everyone sharing it agrees on these.
SHARED_USER_ATTRIBUTES = frozenset(
    {"is_authenticated", "is_anonymous", "is_active", "_meta", "_wrapped", "_setupfunc"}
)


def register(name):
    """Decorator: ``@personal.register("account_menu")`` on ``render(request, *args) -> str``."""

    def decorator(function):
        _RENDERERS[name] = function
        return function

    return decorator


def render(request, name, args):
    if name not in _RENDERERS:
        raise KeyError(f"No personal part is called {name!r}")
    return _RENDERERS[name](request, *args)


def part(request, name, *args):
    """What ``{% personal %}`` puts in the page: the part itself, or its marker
    while the page is rendered for sharing."""
    if name not in _RENDERERS:
        raise KeyError(f"No personal part is called {name!r}")
    if request is not None and getattr(request, "hub_shared_render", False):
        encoded = base64.urlsafe_b64encode(json.dumps(list(args)).encode()).decode()
        return mark_safe(f"<!--hub-personal:{name}:{encoded}-->")
    return mark_safe(render(request, name, args))


def fill(request, content):
    """``content`` (bytes) with every marker replaced by its part, for ``request``."""

    def replace(match):
        name = match.group(1).decode()
        if name not in _RENDERERS:
            return b""
        args = json.loads(base64.urlsafe_b64decode(match.group(2)) or b"[]")
        return render(request, name, args).encode()

    return MARKER.sub(replace, content)


class WatchedUser(SimpleLazyObject):
    """``request.user`` during a shared render: the same user, noting on the
    request any attribute read that could tell one person from another."""

    def __init__(self, user, request):
        super().__init__(lambda: user)
        self.__dict__["_hub_request"] = request
        self._setup()

    def __getattr__(self, name):
        if name not in SHARED_USER_ATTRIBUTES and not name.startswith("__"):
            self.__dict__["_hub_request"].hub_personal_reads.add(f"user.{name}")
        if self._wrapped is empty:
            self._setup()
        return getattr(self._wrapped, name)

    def _personal(self, what):
        self.__dict__["_hub_request"].hub_personal_reads.add(f"user {what}")

    # A user printed or compared tells who they are, as any attribute does.
    def __str__(self):
        self._personal("printed")
        return str(self._wrapped)

    def __eq__(self, other):
        self._personal("compared")
        return self._wrapped == other

    def __ne__(self, other):
        self._personal("compared")
        return self._wrapped != other

    def __hash__(self):
        self._personal("compared")
        return hash(self._wrapped)


class watch:
    """``with watch(request):`` around a shared render. Afterwards
    ``request.hub_personal_reads`` names what the render read of the person
    (empty: the page may be shared)."""

    def __init__(self, request):
        self.request = request

    def __enter__(self):
        request = self.request
        request.hub_personal_reads = set()
        request.hub_shared_render = True
        self.user = request.user
        # Evaluated now (it reads the session), so the page sees a plain user.
        bool(self.user.is_authenticated)
        request.user = WatchedUser(
            self.user._wrapped if isinstance(self.user, SimpleLazyObject) else self.user, request
        )
        session = getattr(request, "session", None)
        self.session_accessed = getattr(session, "accessed", False)
        self.session_modified = getattr(session, "modified", False)
        if session is not None:
            session.accessed = False
            session.modified = False
        self.csrf_asked = request.META.get("CSRF_COOKIE_NEEDS_UPDATE", False)
        request.META["CSRF_COOKIE_NEEDS_UPDATE"] = False
        return request

    def __exit__(self, *exc_info):
        request = self.request
        session = getattr(request, "session", None)
        if session is not None:
            if session.accessed:
                request.hub_personal_reads.add("session")
            if session.modified:
                request.hub_personal_reads.add("session changed")
            session.accessed = session.accessed or self.session_accessed
            session.modified = session.modified or self.session_modified
        if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
            request.hub_personal_reads.add("csrf token")
        request.META["CSRF_COOKIE_NEEDS_UPDATE"] = request.META["CSRF_COOKIE_NEEDS_UPDATE"] or self.csrf_asked
        messages = getattr(request, "_messages", None)
        if messages is not None and getattr(messages, "used", False):
            request.hub_personal_reads.add("messages")
        request.user = self.user
        request.hub_shared_render = False
        return False


# --- Parts every page has -------------------------------------------------


@register("csrf_token")
def _csrf_token(request):
    from django.middleware.csrf import get_token
    from django.utils.html import format_html

    return format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request))


@register("account_menu")
def _account_menu(request):
    from django.middleware.csrf import get_token
    from django.template.loader import get_template

    user = getattr(request, "user", None)
    signed_in = bool(user is not None and user.is_authenticated)
    return get_template("includes/account_menu.html").render(
        {
            "request": request,
            "user": user,
            "signed_in": signed_in,
            "csrf_token": get_token(request) if signed_in else "",
        }
    )
