"""Staff decisions: approving or declining membership applications and requests
to join working groups.

Each decision is saved first, in one transaction; the e-mail about it is sent
after. If the e-mail fails, the decision stands, the failure is noted on the
record (``email_problem``) and returned so the admin can show it.
"""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.text import slugify

from . import mail
from .models import MemberProfile, MembershipApplication, WorkingGroupMembership


class AlreadyDecided(Exception):
    """The record was decided by someone else in the meantime."""


@dataclass
class Decision:
    record: object
    user: object = None
    account_created: bool = False
    email_errors: list = field(default_factory=list)


def set_password_url(user):
    """A one-use link to choose a password: Django's password reset token."""
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return mail.full_url(reverse("password_reset_confirm", kwargs={"uidb64": uidb64, "token": token}))


def _available_username(email):
    User = get_user_model()
    base = slugify(email.split("@")[0])[:140] or "member"
    candidate, number = base, 1
    while User.objects.filter(username__iexact=candidate).exists():
        number += 1
        candidate = f"{base}-{number}"
    return candidate


def _account_for(application):
    """The applicant's account, found by e-mail address (and activated) or created."""
    User = get_user_model()
    user = User.objects.filter(email__iexact=application.email).order_by("pk").first()
    first, _, last = application.name.strip().partition(" ")
    if user is None:
        user = User(username=_available_username(application.email), email=application.email)
        user.first_name, user.last_name = first[:150], last[:150]
        # No password until they choose one with the link we send.
        user.set_unusable_password()
        user.save()
        return user, True
    if not user.is_active or not (user.first_name or user.last_name):
        user.is_active = True
        user.first_name = user.first_name or first[:150]
        user.last_name = user.last_name or last[:150]
        user.save(update_fields=["is_active", "first_name", "last_name"])
    return user, False


def _update_profile(user, application):
    profile, _ = MemberProfile.objects.get_or_create(user=user)
    profile.organisation = application.organisation
    profile.organisation_type = application.organisation_type
    profile.role = application.role
    profile.region = application.region
    profile.save()
    profile.topics.add(*application.topics.all())
    return profile


def approve_application(application, decided_by, message=""):
    with transaction.atomic():
        application = MembershipApplication.objects.select_for_update().get(pk=application.pk)
        if application.status == MembershipApplication.APPROVED:
            raise AlreadyDecided
        user, created = _account_for(application)
        user.groups.add(*Group.objects.filter(name__in=application.group_names()))
        _update_profile(user, application)
        for group in application.working_groups.all():
            WorkingGroupMembership.objects.get_or_create(
                working_group=group,
                user=user,
                defaults={"message": "Chosen on the application to join the CoP."},
            )
        application.status = MembershipApplication.APPROVED
        application.decided_at = timezone.now()
        application.decided_by = decided_by
        application.decision_message = message
        application.user = user
        application.save()

    decision = Decision(record=application, user=user, account_created=created)
    context = {
        "application": application,
        "user": user,
        "account_created": created,
        "set_password_url": set_password_url(user) if not user.has_usable_password() else "",
        "sign_in_url": mail.full_url(reverse("login")),
        "reset_url": mail.full_url(reverse("password_reset")),
        "message": message,
    }
    error = mail.send("application_approved", context, [application.email])
    if error:
        application.note_email_problem("The approval e-mail", error)
        decision.email_errors.append(error)
    return decision


def decline_application(application, decided_by, message=""):
    with transaction.atomic():
        application = MembershipApplication.objects.select_for_update().get(pk=application.pk)
        if not application.is_pending:
            raise AlreadyDecided
        application.status = MembershipApplication.DECLINED
        application.decided_at = timezone.now()
        application.decided_by = decided_by
        application.decision_message = message
        application.save()

    decision = Decision(record=application)
    error = mail.send(
        "application_declined", {"application": application, "message": message}, [application.email]
    )
    if error:
        application.note_email_problem("The e-mail about the decision", error)
        decision.email_errors.append(error)
    return decision


def decide_membership(membership, decided_by, approve):
    """Approve or decline a request to join a working group, and tell the person."""
    status = WorkingGroupMembership.APPROVED if approve else WorkingGroupMembership.DECLINED
    with transaction.atomic():
        membership = (
            WorkingGroupMembership.objects.select_for_update()
            .select_related("user", "working_group")
            .get(pk=membership.pk)
        )
        if membership.status == status:
            raise AlreadyDecided
        membership.status = status
        membership.decided_at = timezone.now()
        membership.decided_by = decided_by
        membership.save()

    decision = Decision(record=membership, user=membership.user)
    group = membership.working_group
    context = {
        "membership": membership,
        "group": group,
        "group_url": mail.full_url(group.url or "/") if group.live else "",
    }
    template = "group_request_approved" if approve else "group_request_declined"
    error = mail.send(template, context, [membership.user.email])
    if error:
        stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M")
        membership.email_problem = (
            f"{membership.email_problem}\n{stamp}: The e-mail about the decision could not be sent "
            f"({error.__class__.__name__}: {error})."
        ).strip()
        WorkingGroupMembership.objects.filter(pk=membership.pk).update(email_problem=membership.email_problem)
        decision.email_errors.append(error)
    return decision
