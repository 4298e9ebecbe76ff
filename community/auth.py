"""Sign-in attempts limited per account and client address.

``RateLimitedModelBackend`` is the hub's authentication backend, so the limit
holds on every sign-in form (the hub's, the admin's). After ``MAX_FAILURES``
failed attempts on one account from one client address within
``WINDOW_SECONDS``, further attempts are refused without checking the password
until the window has passed; a successful sign-in clears that count. The
account is the one the typed username or e-mail address finds, so every
spelling of it (capitals, "ſ" for "s", spaces) counts against the same account;
text that finds no account is counted under its normalised form. One client
address may also fail at most ``MAX_FAILURES_PER_CLIENT`` times in the window,
whatever it types. Counts live in Django's cache (``hub.ratelimit``); the
client address is ``hub.ratelimit.client_address`` (trusted proxies honoured).
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from hub.forms import normalise_email, with_email
from hub.ratelimit import Limit, client_address

MAX_FAILURES = 5
MAX_FAILURES_PER_CLIENT = 30
WINDOW_SECONDS = 15 * 60

ACCOUNT_FAILURES = Limit("sign-in-account", MAX_FAILURES, WINDOW_SECONDS)
CLIENT_FAILURES = Limit("sign-in-client", MAX_FAILURES_PER_CLIENT, WINDOW_SECONDS)


def account_for(login):
    """The account ``login`` (a username, or an e-mail address held by exactly
    one account) names, or None."""
    login = (login or "").strip()
    if not login:
        return None
    User = get_user_model()
    if "@" in login:
        # An address shared by two accounts names neither of them.
        matches = list(with_email(User._default_manager.all(), login, field=User.get_email_field_name())[:2])
        if len(matches) == 1:
            return matches[0]
    try:
        return User._default_manager.get_by_natural_key(login)
    except User.DoesNotExist:
        return None


def _subject(login):
    user = account_for(login)
    return user, (f"account:{user.pk}" if user is not None else f"typed:{normalise_email(login)}")


def is_locked_out(login, request):
    client = client_address(request) if request is not None else ""
    _, subject = _subject(login)
    return ACCOUNT_FAILURES.exceeded(subject, client) or CLIENT_FAILURES.exceeded(client)


class RateLimitedModelBackend(ModelBackend):
    """Django's backend, limited as above; people may also sign in with their
    e-mail address instead of their username."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if request is None:
            # Not a sign-in form (a management command, a test client's login()).
            return super().authenticate(request, username=username, password=password, **kwargs)
        client = client_address(request)
        account, subject = _subject(username)
        if ACCOUNT_FAILURES.exceeded(subject, client) or CLIENT_FAILURES.exceeded(client):
            # Stops Django trying other backends; the form reports a failed sign-in.
            raise PermissionDenied("Too many failed sign-in attempts.")
        user = super().authenticate(
            request,
            username=account.get_username() if account is not None else username,
            password=password,
            **kwargs,
        )
        if user is None:
            ACCOUNT_FAILURES.hit(subject, client)
            CLIENT_FAILURES.hit(client)
        else:
            ACCOUNT_FAILURES.clear(subject, client)
        return user
