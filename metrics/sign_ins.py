"""Sign-in days: the days each account signed in, for counting active members
over any period (``last_login`` keeps only the latest sign-in, so it cannot
say who was active last quarter).

Written on Django's ``user_logged_in`` signal, as one INSERT that ignores a
day already recorded. Recording never fails a sign-in: an error is logged and
the sign-in goes on. The days are part of the member's data download and are
deleted when the account is closed (``community.account_data``'s signals).
"""

import logging

from django.db import transaction

from .models import SignInDay
from .periods import hub_today

logger = logging.getLogger(__name__)


def record_sign_in(sender, request=None, user=None, **kwargs):
    """``user_logged_in`` receiver."""
    if user is None or user.pk is None:
        return
    try:
        # A savepoint: a failed insert leaves the sign-in's own transaction usable.
        with transaction.atomic():
            SignInDay.objects.bulk_create(
                [SignInDay(user_id=user.pk, date=hub_today())], ignore_conflicts=True
            )
    except Exception:
        logger.exception("Could not record the sign-in day of account %s", user.pk)


def sign_in_days_section(sender, user=None, **kwargs):
    """``personal_data_requested`` receiver: the section of the data download."""
    days = SignInDay.objects.filter(user=user).order_by("date").values_list("date", flat=True)
    return "sign_in_days", [day.isoformat() for day in days]


def forget_sign_ins(sender, user=None, **kwargs):
    """``account_closed`` receiver."""
    SignInDay.objects.filter(user=user).delete()
