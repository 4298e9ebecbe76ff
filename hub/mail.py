"""Mail that is never lost, and staff see every failure.

Every e-mail the hub sends - the hub's own (membership, events, digests,
reminders), Django's password reset and Wagtail's workflow and comment
notifications - goes to ``MAILERS["default"]``, which is ``QueuedEmailBackend``
(hub/settings/base.py). It sends nothing itself: each message is written to the
mail queue (django-tasks' database backend, ``TASKS["mail"]``) as the bytes
that would go on the wire, with its envelope sender and recipients, and the
worker (``manage.py db_worker --backend mail``) hands it to
``MAILERS["outgoing"]``: ``SMTPEmailBackend`` in production, the console on a
laptop. So for a caller, *sent* now means *queued*: ``send()`` succeeds while
the mail server is down, and callers that note a failure on their own record
(an application's *E-mail problem*, a registration's confirmation error) note
one only when the message could not even be queued and could not be sent at
once either.

The message is queued in the caller's transaction (a savepoint), not in
``transaction.on_commit``: the queue is a table of the same database, so the
message is kept exactly when the work it tells of is, and a crash between the
commit and an on-commit write cannot lose it. If the queue cannot be written
(the database failing), the message is sent at once instead.

When the mail server fails, ``deliver`` tries again after ``RETRY_DELAYS``
(1 min, 5 min, 30 min, 2 h, 6 h: six tries in about nine hours) by queueing
itself anew with ``run_after``; a refusal no later try changes (every recipient
refused with a 5xx, the message refused, an impossible address) is not tried
again. Meanwhile the message is listed under *Reports → Mail failures* as "Not
sent yet" with its next try, and when the queue stops trying, as "Not sent";
delivered after all, it leaves the list.

``SMTPEmailBackend`` is Django's SMTP backend with these changes:

- every send that fails, whatever the reason (refused at connect, a 4xx or 5xx
  reply, a timeout, a TLS error), is recorded as a ``MailFailure`` and then
  raised as before (for a queued message the queue records it instead, once
  per message, with its tries);
- after connecting to a server fails, sends to it fail at once for
  ``RETRY_SECONDS`` instead of each waiting for the timeout again;
- ``open()`` called on its own does not raise: Wagtail opens a connection
  before its loop of messages and only catches some errors there, so a
  refusing server would undo a "Submit for review". The failure comes back
  from each send instead, where Wagtail catches and logs every error.

Recipients the server refuses while it accepts others are recorded too (Django
would drop them silently), and not tried again: the others have the message.

``send_message`` is the hub's way to send: it returns the error instead of
raising, for callers that note it on their own record.
"""

import base64
import email
import email.policy
import logging
import re
import smtplib
import threading
import time
import uuid
from datetime import timedelta

from django.core.mail import EmailMessage, mailers
from django.core.mail.backends import smtp
from django.core.mail.backends.base import BaseEmailBackend
from django.db import DatabaseError, transaction
from django.tasks import task
from django.utils import timezone

logger = logging.getLogger(__name__)

KEEP_FAILURES = timedelta(days=90)
# After a failure to connect, sends to that server fail at once (and are
# listed) for this long, so a request never waits out the timeout twice.
RETRY_SECONDS = 10
# The TASKS alias of the mail queue, and the waits before each further try.
MAIL_TASKS = "mail"
RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
)


def describe(error):
    return f"{type(error).__name__}: {error}"[:2000]


def record_failure(messages, error, *, queue_key="", attempts=1, next_attempt_at=None):
    """Note the messages that could not be sent where staff see them; a queued
    message (``queue_key``) keeps one entry across its tries. Never raises: the
    database may be what failed."""
    from hub.models import MailFailure

    if not messages:
        return
    try:
        with transaction.atomic():
            # Addresses are personal data: a failure is kept long enough to follow up.
            MailFailure.objects.filter(failed_at__lt=timezone.now() - KEEP_FAILURES).delete()
            entries = [
                MailFailure(
                    subject=str(message.subject or "")[:255],
                    recipients=", ".join(message.recipients()),
                    error=describe(error),
                    attempts=attempts,
                    next_attempt_at=next_attempt_at,
                    queue_key=queue_key,
                )
                for message in messages
            ]
            if queue_key:
                MailFailure.objects.filter(queue_key=queue_key).delete()
            MailFailure.objects.bulk_create(entries)
    except DatabaseError:
        logger.exception("Could not record the mail failure")


def forget_address(address):
    """Take ``address`` out of the mail failures (an account closed): a failure
    for nobody else goes, one for several people keeps the others."""
    from hub.models import MailFailure

    address = (address or "").strip()
    if not address:
        return
    for failure in MailFailure.objects.filter(recipients__icontains=address):
        others = [a for a in failure.recipients.split(", ") if a.lower() != address.lower()]
        if len(others) == len(failure.recipients.split(", ")):
            continue  # only a longer address holding this one
        if others:
            error = re.sub(re.escape(address), "(closed account)", failure.error, flags=re.IGNORECASE)
            MailFailure.objects.filter(pk=failure.pk).update(recipients=", ".join(others), error=error)
        else:
            failure.delete()


def send_message(message):
    """Send one message; returns None when sent, or the exception when not (logged)."""
    try:
        message.send()
    except Exception as error:  # noqa: BLE001 - any mail failure is reported, never raised
        logger.exception("Could not send %r to %s", message.subject, ", ".join(message.recipients()))
        return error
    return None


class MailServerUnreachable(smtplib.SMTPException):
    """Not tried: connecting to this mail server failed a moment ago."""


_unreachable = {}  # (host, port) -> (monotonic time to try again, the error)
_unreachable_lock = threading.Lock()


class SMTPEmailBackend(smtp.EmailBackend):
    _sending = False

    def open(self):
        if self.connection:
            return False
        server = (self.host, self.port)
        with _unreachable_lock:
            retry_at, earlier = _unreachable.get(server, (0.0, None))
        try:
            if time.monotonic() < retry_at:
                # One wait for a server that does not answer, not one per message:
                # Wagtail sends a notice to each reviewer in turn.
                raise MailServerUnreachable(f"connecting failed less than {RETRY_SECONDS} s ago ({earlier})")
            opened = super().open()
        except Exception as error:
            if not isinstance(error, MailServerUnreachable):
                with _unreachable_lock:
                    _unreachable[server] = (time.monotonic() + RETRY_SECONDS, describe(error))
            if self._sending:
                raise
            logger.warning("Could not connect to the mail server: %s", describe(error))
            return None
        with _unreachable_lock:
            _unreachable.pop(server, None)
        return opened

    def send_messages(self, email_messages):
        if not email_messages:
            return 0
        self._sending = True
        try:
            return super().send_messages(email_messages)
        except Exception as error:
            if not getattr(error, "hub_recorded", False):
                # Failed before any message went (connecting, TLS, signing in).
                # A queued message's failure is the queue's to record, with its tries.
                record_failure([m for m in email_messages if not isinstance(m, QueuedMessage)], error)
            raise
        finally:
            self._sending = False

    def _send(self, email_message):
        if not email_message.recipients():
            return False
        from_email = self.prep_address(email_message.from_email)
        recipients = [self.prep_address(address) for address in email_message.recipients()]
        try:
            refused = self.connection.sendmail(from_email, recipients, smtp_bytes(email_message))
        except Exception as error:
            if not isinstance(email_message, QueuedMessage):
                record_failure([email_message], error)
            error.hub_recorded = True
            if self.fail_silently and isinstance(error, smtplib.SMTPException):
                return False
            raise
        if refused:
            # Sent to the others; the refused recipients are a failure of their own.
            record_failure([email_message], smtplib.SMTPRecipientsRefused(refused))
            logger.warning(
                "The mail server refused some recipients of %r: %s", email_message.subject, refused
            )
        return True

    def is_reachable(self):
        """True when a connection to the server can be opened now (for the readiness check)."""
        try:
            self._sending = True
            super().open()
        except Exception as error:  # noqa: BLE001 - any failure means not reachable
            self.last_error = describe(error)
            return False
        finally:
            self._sending = False
            self.close()
        with _unreachable_lock:
            _unreachable.pop((self.host, self.port), None)
        return True


# --- The mail queue -----------------------------------------------------------


class QueuedMessage(EmailMessage):
    """A message taken from the queue: the bytes made when it was queued, sent
    as they are (``SMTPEmailBackend``) or parsed for the console and test
    mailers; the envelope is the one it was queued with (Bcc included)."""

    def __init__(self, raw, *, from_email, recipients, subject):
        super().__init__(subject=subject, from_email=from_email)
        self.raw = raw
        self.envelope_recipients = list(recipients)

    def recipients(self):
        return list(self.envelope_recipients)

    def message(self, *, policy=email.policy.default):
        return email.message_from_bytes(self.raw, policy=policy)


def smtp_bytes(email_message):
    """What goes on the wire: Django's SMTP form of the message, made once."""
    if isinstance(email_message, QueuedMessage):
        return email_message.raw
    return email_message.message(policy=email.policy.SMTP).as_bytes()


def is_permanent(error):
    """A refusal that no later try changes."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _reply in error.recipients.values())
    if isinstance(error, smtplib.SMTPDataError):
        return error.smtp_code >= 500
    return isinstance(error, ValueError)  # an address that is not one (prep_address)


@task(backend=MAIL_TASKS)
def deliver(*, queue_key, mailer, subject, from_email, recipients, message, attempt=1):
    """Send one queued message through ``MAILERS[mailer]``; on failure queue the
    next try, or stop and leave it listed for staff."""
    queued = QueuedMessage(
        base64.b64decode(message), from_email=from_email, recipients=recipients, subject=subject
    )
    try:
        mailers[mailer].send_messages([queued])
    except Exception as error:  # noqa: BLE001 - any failure is tried again or listed, never lost
        next_attempt_at = None
        if attempt <= len(RETRY_DELAYS) and not is_permanent(error):
            next_attempt_at = timezone.now() + RETRY_DELAYS[attempt - 1]
            deliver.using(run_after=next_attempt_at).enqueue(
                queue_key=queue_key,
                mailer=mailer,
                subject=subject,
                from_email=from_email,
                recipients=recipients,
                message=message,
                attempt=attempt + 1,
            )
        record_failure(
            [queued], error, queue_key=queue_key, attempts=attempt, next_attempt_at=next_attempt_at
        )
        logger.warning(
            "Try %s of %r to %s failed (%s); %s",
            attempt,
            subject,
            ", ".join(recipients),
            describe(error),
            f"trying again at {next_attempt_at:%Y-%m-%d %H:%M}" if next_attempt_at else "not trying again",
        )
        return {"outcome": "retrying" if next_attempt_at else "not sent", "attempt": attempt}
    if attempt > 1:
        from hub.models import MailFailure

        MailFailure.objects.filter(queue_key=queue_key).delete()  # delivered after all
    return {"outcome": "sent", "attempt": attempt}


class QueuedEmailBackend(BaseEmailBackend):
    """``MAILERS["default"]``: each message goes into the mail queue, to be sent
    through ``MAILERS[mailer]`` by the worker (see the module's docstring)."""

    def __init__(self, fail_silently=False, *, mailer="outgoing", **kwargs):
        super().__init__(**kwargs)
        self.fail_silently = fail_silently
        self.mailer = mailer

    def send_messages(self, email_messages):
        count = 0
        for message in email_messages:
            if not message.recipients():
                continue
            # Made now, so a message that cannot be made (a bad header) fails
            # in the caller, as a direct send would.
            raw = smtp_bytes(message)
            try:
                with transaction.atomic():  # a savepoint: a failed write leaves the caller's work intact
                    deliver.enqueue(
                        queue_key=str(uuid.uuid4()),
                        mailer=self.mailer,
                        subject=str(message.subject or ""),
                        from_email=str(message.from_email),
                        recipients=[str(address) for address in message.recipients()],
                        message=base64.b64encode(raw).decode("ascii"),
                    )
            except DatabaseError:
                logger.exception("Could not queue %r: sending it at once instead", message.subject)
                count += self._send_now(message)
            else:
                count += 1
        return count

    def _send_now(self, message):
        try:
            return mailers[self.mailer].send_messages([message])
        except Exception:
            if self.fail_silently:
                return 0
            raise

    def is_reachable(self):
        """Whether the mail server the queue sends through answers now (the readiness check)."""
        outgoing = mailers[self.mailer]
        check = getattr(outgoing, "is_reachable", None)
        reachable = check() if check else True
        self.last_error = getattr(outgoing, "last_error", "")
        return reachable
