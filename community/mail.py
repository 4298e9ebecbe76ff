"""E-mails about membership: rendered from templates/community/emails/, sent
after the record they are about is saved, and never allowed to lose it.

``send`` returns the error when the mail service fails instead of raising, so
the caller can note it on the record for staff (``email_problem``) and tell
the person at the screen; the hub's mail backend also lists every failure
under *Reports → Mail failures* (hub/mail.py). With the mail queue in front
(production and ``make run``), sending means queueing: an error comes back
only when the message could be neither queued nor sent at once, and the queue
tries again later and lists what it could not send.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.template.loader import render_to_string

from hub.mail import send_message

STEERING_GROUP = "Steering"


def full_url(path):
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def render_message(template, context, to):
    """An EmailMessage whose first line of the rendered template is the subject."""
    text = render_to_string(f"community/emails/{template}.txt", context)
    subject, _, body = text.strip().partition("\n")
    return EmailMessage(subject=subject.strip(), body=body.strip() + "\n", to=to)


def send(template, context, to):
    """Send one message; returns None when sent, or the exception when not."""
    to = [address for address in to if address]
    if not to:
        return None
    return send_message(render_message(template, context, to))


def steering_addresses():
    """Where notices of new applications go: the active members of the Steering group."""
    return sorted(
        get_user_model()
        .objects.filter(groups__name=STEERING_GROUP, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )
