"""Mail that fails never costs a submission, and staff see every failure.

``SMTPEmailBackend`` (the production mailer, hub/settings/base.py) is Django's
SMTP backend with these changes, so that one place covers every sender - the
hub's own, Django's password reset and Wagtail's workflow and comment
notifications:

- every send that fails, whatever the reason (refused at connect, a 4xx or 5xx
  reply, a timeout, a TLS error), is recorded as a ``MailFailure`` (listed in
  the admin under *Reports → Mail failures*) and then raised as before, so the
  caller can keep its submission and tell the person;
- after connecting to a server fails, sends to it fail at once for
  ``RETRY_SECONDS`` (listed like any failure) instead of each waiting for the
  timeout again;
- ``open()`` called on its own does not raise: Wagtail opens a connection
  before its loop of messages and only catches some errors there, so a
  refusing server would undo a "Submit for review". The failure comes back
  from each send instead, where Wagtail catches and logs every error.

Recipients the server refuses while it accepts others are recorded too (Django
would drop them silently).

``send_message`` is the hub's way to send: it returns the error instead of
raising, for callers that note it on their own record.
"""

import email.policy
import logging
import re
import smtplib
import threading
import time
from datetime import timedelta

from django.core.mail.backends import smtp
from django.db import DatabaseError, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

KEEP_FAILURES = timedelta(days=90)
# After a failure to connect, sends to that server fail at once (and are
# listed) for this long, so a request never waits out the timeout twice.
RETRY_SECONDS = 10


def describe(error):
    return f"{type(error).__name__}: {error}"[:2000]


def record_failure(messages, error):
    """Note the messages that could not be sent where staff see them. Never raises:
    the database may be what failed."""
    from hub.models import MailFailure

    try:
        with transaction.atomic():
            # Addresses are personal data: a failure is kept long enough to follow up.
            MailFailure.objects.filter(failed_at__lt=timezone.now() - KEEP_FAILURES).delete()
            MailFailure.objects.bulk_create(
                MailFailure(
                    subject=str(message.subject or "")[:255],
                    recipients=", ".join(message.recipients()),
                    error=describe(error),
                )
                for message in messages
            )
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
                record_failure(email_messages, error)
            raise
        finally:
            self._sending = False

    def _send(self, email_message):
        if not email_message.recipients():
            return False
        from_email = self.prep_address(email_message.from_email)
        recipients = [self.prep_address(address) for address in email_message.recipients()]
        message = email_message.message(policy=email.policy.SMTP)
        try:
            refused = self.connection.sendmail(from_email, recipients, message.as_bytes())
        except Exception as error:
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
