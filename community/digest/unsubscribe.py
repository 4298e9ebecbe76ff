"""Stopping the news digest from the e-mail, without signing in.

Every digest carries ``/digest/unsubscribe/<token>/``: the member profile's id
signed with the hub's ``SECRET_KEY`` (``django.core.signing``, with a salt of
its own so no other signed value of the hub works here). It never expires: an
old e-mail's link still works.

- ``GET`` shows a page with a button; it never changes anything (mail
  scanners and link previews open links).
- ``POST`` sets the digest to "never" and says how to turn it back on. Mail
  programs send ``List-Unsubscribe=One-Click`` there (RFC 8058) with no
  cookie and no CSRF token, so this one view is exempt from CSRF checks: the
  signed token is what proves the request came from the e-mail.
"""

from django.core import signing
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from ..models import MemberProfile

SALT = "community.digest.unsubscribe"
TEMPLATE = "community/digest/unsubscribe.html"


def make_token(profile):
    return signing.dumps(profile.pk, salt=SALT)


def unsubscribe_path(profile):
    return reverse("digest-unsubscribe", args=[make_token(profile)])


def profile_id_from(token):
    """The profile id a token names, or None when it was not made by the hub."""
    try:
        value = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) else None


@csrf_exempt  # RFC 8058 one-click: the signed token, not a cookie, proves where the request came from
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    profile_id = profile_id_from(token)
    if profile_id is None:
        return render(request, TEMPLATE, {"state": "bad-link"}, status=400)
    profile = MemberProfile.objects.filter(pk=profile_id, user__is_active=True).first()
    if profile is None:
        return render(request, TEMPLATE, {"state": "no-account"}, status=404)
    context = {"profile_url": reverse("account-profile"), "frequency": profile.get_digest_frequency_display()}
    if request.method != "POST":
        state = "already-stopped" if profile.digest_frequency == MemberProfile.DIGEST_NEVER else "confirm"
        return render(request, TEMPLATE, {**context, "state": state})
    if profile.digest_frequency != MemberProfile.DIGEST_NEVER:
        profile.digest_frequency = MemberProfile.DIGEST_NEVER
        profile.save(update_fields=["digest_frequency"])
    return render(request, TEMPLATE, {**context, "state": "stopped"})
