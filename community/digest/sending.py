"""Sending the digests that are due, each item once per member.

For each digest, in one transaction: the profile's watermark moves to the
run's time (only if it is still what the run read, and the member still wants
the digest at that frequency), its items are recorded as sent
(``DigestItemSent``, one row per member and item, unique), and the message is
handed to the mail backend. If the mail backend raises, the transaction is
rolled back: nothing is marked as sent and the member is due again at the
next run. A second run at the same time finds the watermark moved (or, on
PostgreSQL, waits for the first run's row lock, then finds it moved) or the
items recorded (the unique constraint), and skips the member.

The hub's mail backend (hub/mail.py) puts the message in the mail queue, a
table of the same database, inside this transaction: the items are recorded
exactly when their message is queued, and the queue's worker delivers it,
trying again while the mail server is down. With a backend that sends at once
(SMTP), a run stopped between the send and the commit may send that one
digest again.
After ``STOP_AFTER_FAILURES`` failures in a row the run stops: the mail
server is down, and the others wait for the next run.
"""

import logging
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from ..models import DigestItemSent, MemberProfile
from .build import KEEP_RECORDS, build_digests
from .message import Renderer

logger = logging.getLogger(__name__)

STOP_AFTER_FAILURES = 3


class NotHandedOver(Exception):
    """The mail backend said it sent nothing."""


@dataclass
class DigestRun:
    """What one run did, for the command's summary."""

    built: int = 0
    sent: int = 0
    skipped: int = 0  # another run sent it, or the member changed their mind meanwhile
    failures: list = field(default_factory=list)  # (address, reason)
    stopped: bool = False

    def summary(self):
        return (
            f"{self.built} digest{'' if self.built == 1 else 's'} with news, {self.sent} sent, "
            f"{self.skipped} skipped, {len(self.failures)} failed"
            + (
                " (stopped: the mail server keeps failing; the rest wait for the next run)"
                if self.stopped
                else ""
            )
        )


def send_one(digest, message, now):
    """Send one digest; True when the mail backend took it, False when another run had."""
    with transaction.atomic():
        claimed = MemberProfile.objects.filter(
            pk=digest.profile.pk,
            digest_sent_at=digest.profile.digest_sent_at,
            digest_frequency=digest.profile.digest_frequency,
        ).update(digest_sent_at=now)
        if not claimed:
            return False
        DigestItemSent.objects.bulk_create(
            DigestItemSent(profile_id=digest.profile.pk, item=key, sent_at=now) for key in digest.keys
        )
        if message.send() != 1:
            raise NotHandedOver("the mail backend sent nothing")
    return True


def send_due_digests(now=None):
    now = now or timezone.now()
    DigestItemSent.objects.filter(sent_at__lt=now - KEEP_RECORDS).delete()
    digests = build_digests(now)
    run = DigestRun(built=len(digests))
    if not digests:
        return run
    renderer = Renderer(digests[0].news)
    failures_in_a_row = 0
    for digest in digests:
        message = renderer.message(digest)
        try:
            sent = send_one(digest, message, now)
        except IntegrityError:
            sent = False  # another run recorded these items first
        except Exception as error:  # noqa: BLE001 - any mail failure leaves the digest due, never lost
            logger.exception("Could not send the news digest to %s", digest.user.email)
            run.failures.append((digest.user.email, f"{type(error).__name__}: {error}"))
            failures_in_a_row += 1
            if failures_in_a_row >= STOP_AFTER_FAILURES:
                run.stopped = True
                break
            continue
        failures_in_a_row = 0
        if sent:
            run.sent += 1
        else:
            run.skipped += 1
    return run
