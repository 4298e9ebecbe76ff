"""Sign-in attempts limited per username and network address.

``RateLimitedModelBackend`` is the hub's authentication backend, so the limit
holds on every sign-in form (the hub's, the admin's, page privacy's). After
``MAX_FAILURES`` failed attempts for one username from one address within
``WINDOW_SECONDS``, further attempts are refused without checking the password
until the window has passed. Counts live in Django's cache, keyed on what
was typed; a successful sign-in clears them.
"""

import hashlib

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.core.exceptions import PermissionDenied

MAX_FAILURES = 5
WINDOW_SECONDS = 15 * 60


def _key(username, request):
    address = request.META.get("REMOTE_ADDR", "") if request is not None else ""
    digest = hashlib.sha256(f"{(username or '').strip().lower()}|{address}".encode()).hexdigest()[:32]
    return f"community:sign-in-failures:{digest}"


def is_locked_out(username, request):
    return (cache.get(_key(username, request)) or 0) >= MAX_FAILURES


def record_failure(username, request):
    key = _key(username, request)
    cache.add(key, 0, WINDOW_SECONDS)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, WINDOW_SECONDS)


def clear_failures(username, request):
    cache.delete(_key(username, request))


class RateLimitedModelBackend(ModelBackend):
    """Django's backend, limited as above; people may also sign in with their
    e-mail address instead of their username."""

    @staticmethod
    def username_for(login):
        if not login or "@" not in login:
            return login
        User = get_user_model()
        matches = list(
            User.objects.filter(email__iexact=login.strip()).values_list(User.USERNAME_FIELD, flat=True)[:2]
        )
        # An address shared by two accounts names neither of them.
        return matches[0] if len(matches) == 1 else login

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if request is None:
            # Not a sign-in form (a management command, a test client's login()).
            return super().authenticate(request, username=username, password=password, **kwargs)
        if is_locked_out(username, request):
            # Stops Django trying other backends; the form reports a failed sign-in.
            raise PermissionDenied("Too many failed sign-in attempts.")
        user = super().authenticate(
            request, username=self.username_for(username), password=password, **kwargs
        )
        if user is None:
            record_failure(username, request)
        else:
            clear_failures(username, request)
        return user
