"""Every e-mail the mail service does not take is listed for staff
(*Reports → Mail failures*), whatever the failure, and still reported to the
code that sent it. The mail server is a real local SMTP server that fails
(``faulty_services``)."""

from datetime import timedelta

import pytest
from django.core.mail import EmailMessage
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from hub.models import MailFailure

from .faulty_services import MODES, FaultySMTPServer

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("mode", MODES)
def test_a_failed_send_is_listed_for_staff_and_raised_to_the_sender(mode):
    with FaultySMTPServer(mode) as server, override_settings(MAILERS=server.mailers(timeout=1)):
        with pytest.raises(OSError):  # smtplib's errors, timeouts and TLS errors are all OSErrors
            EmailMessage("Your registration", "Body", to=["ana@example.org"]).send()
    failure = MailFailure.objects.get()
    assert (failure.subject, failure.recipients) == ("Your registration", "ana@example.org")
    assert failure.error


def test_recipients_refused_while_others_get_the_message_are_listed_too():
    with FaultySMTPServer("some") as server, override_settings(MAILERS=server.mailers()):
        sent = EmailMessage("Notice", "Body", to=["sky@example.org", "refused@example.org"]).send()
    assert sent == 1
    failure = MailFailure.objects.get()
    assert "refused@example.org" in failure.error and "550" in failure.error


def test_editors_and_steering_read_the_mail_failures_and_contributors_do_not(client, make_user):
    MailFailure.objects.create(
        subject="Application received", recipients="jordan@example.org", error="SMTPConnectError: 554"
    )
    for username, group in (("eden", "Editors"), ("sky", "Steering")):
        client.force_login(make_user(username, group))
        response = client.get(reverse("hub_mail_failures"))
        assert response.status_code == 200
        html = response.content.decode()
        assert "Application received" in html and "jordan@example.org" in html
    client.force_login(make_user("casey", "Contributors"))
    response = client.get(reverse("hub_mail_failures"))
    assert response.status_code in (302, 403)
    assert "jordan@example.org" not in response.content.decode()


def test_failures_older_than_ninety_days_are_deleted_when_the_next_is_recorded():
    old = MailFailure.objects.create(subject="Old", recipients="old@example.org", error="timeout")
    MailFailure.objects.filter(pk=old.pk).update(failed_at=timezone.now() - timedelta(days=91))
    MailFailure.objects.create(subject="Recent", recipients="new@example.org", error="timeout")
    with FaultySMTPServer("refuse") as server, override_settings(MAILERS=server.mailers()):
        with pytest.raises(OSError):
            EmailMessage("Newest", "Body", to=["ana@example.org"]).send()
    assert set(MailFailure.objects.values_list("subject", flat=True)) == {"Recent", "Newest"}


def test_closing_an_account_takes_its_address_out_of_the_mail_failures(make_user):
    from community.account_data import close_account

    member = make_user("morgan", "Members")
    MailFailure.objects.create(
        subject="Your password", recipients="morgan@example.org", error="550 morgan@example.org"
    )
    MailFailure.objects.create(
        subject="New application",
        recipients="sky@example.org, Morgan@example.org",
        error="SMTPRecipientsRefused: {'Morgan@example.org': (550, b'No such user')}",
    )
    MailFailure.objects.create(subject="Other", recipients="amorgan@example.org", error="timeout")
    close_account(member)
    assert list(MailFailure.objects.order_by("subject").values_list("subject", "recipients")) == [
        ("New application", "sky@example.org"),
        ("Other", "amorgan@example.org"),
    ]
    assert "morgan@example.org" not in MailFailure.objects.get(subject="New application").error.lower()
