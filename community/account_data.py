"""A member's own data: everything the hub holds about them, and closing their account.

Other apps join in through two signals, so this module does not need to know
their models:

- ``personal_data_requested(sender=User, user=...)``: each receiver returns a
  ``(section name, JSON-serialisable data)`` pair added to the download;
- ``account_closed(sender=User, user=..., email=...)``: sent after the account
  is emptied, for receivers to remove personal data they keep (``email`` is
  the address the account had).

Closing keeps the account's row, emptied and unusable, so what the person
created (suggested resources, page revisions, event registrations) stays in
place without their name or address.
"""

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from hub.mail import forget_address

from .models import MemberProfile, MembershipApplication, WorkingGroupMembership

personal_data_requested = Signal()
account_closed = Signal()


def _stamp(value):
    return value.isoformat() if value else None


def event_registrations(user):
    """The person's event registrations, when the events app keeps them."""
    try:
        Registration = apps.get_model("events", "EventRegistration")
    except LookupError:
        return []
    field_names = {f.name for f in Registration._meta.get_fields()}
    if "user" not in field_names:
        return []
    queryset = Registration.objects.filter(user=user)
    if "event" in field_names:
        queryset = queryset.select_related("event")
    return list(queryset)


def personal_data(user):
    profile = MemberProfile.objects.filter(user=user).prefetch_related("topics").first()
    data = {
        "exported_at": timezone.now().isoformat(),
        "account": {
            "username": user.username,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "date_joined": _stamp(user.date_joined),
            "last_sign_in": _stamp(user.last_login),
            "groups": sorted(user.groups.values_list("name", flat=True)),
        },
        "profile": None,
        "membership_applications": [],
        "working_groups": [],
        "suggested_resources": [],
        "event_registrations": [],
    }
    if profile:
        data["profile"] = {
            "organisation": profile.organisation,
            "organisation_type": profile.get_organisation_type_display() if profile.organisation_type else "",
            "role": profile.role,
            "state_or_region": profile.region,
            "topics": [topic.name for topic in profile.topics.all()],
            "email_news": profile.email_news,
            "email_working_groups": profile.email_working_groups,
            "working_groups_followed": sorted(profile.followed_groups.values_list("title", flat=True)),
            "partner_communities_followed": sorted(profile.followed_partners.values_list("title", flat=True)),
            "news_digest": profile.get_digest_frequency_display(),
        }
    applications = MembershipApplication.objects.filter(user=user)
    if user.email:
        applications = applications | MembershipApplication.objects.filter(email__iexact=user.email)
    for application in applications.distinct().prefetch_related("topics", "working_groups"):
        data["membership_applications"].append(
            {
                "submitted_at": _stamp(application.submitted_at),
                "name": application.name,
                "email": application.email,
                "organisation": application.organisation,
                "organisation_type": application.get_organisation_type_display(),
                "role": application.role,
                "state_or_region": application.region,
                "topics": [topic.name for topic in application.topics.all()],
                "working_groups": [group.title for group in application.working_groups.all()],
                "agreed_to_privacy_notice_at": _stamp(application.consented_at),
                "status": application.get_status_display(),
                "decided_at": _stamp(application.decided_at),
            }
        )
    for membership in WorkingGroupMembership.objects.filter(user=user).select_related("working_group"):
        data["working_groups"].append(
            {
                "working_group": membership.working_group.title,
                "status": membership.get_status_display(),
                "message": membership.message,
                "requested_at": _stamp(membership.requested_at),
                "decided_at": _stamp(membership.decided_at),
            }
        )
    for page in user.suggested_resources.order_by("pk") if hasattr(user, "suggested_resources") else []:
        data["suggested_resources"].append(
            {"title": page.title, "link": page.source_url, "why": page.suggestion_reason, "live": page.live}
        )
    for registration in event_registrations(user):
        event = getattr(registration, "event", None)
        data["event_registrations"].append(
            {
                "event": str(event) if event is not None else str(registration),
                "registered_at": _stamp(getattr(registration, "created_at", None)),
            }
        )
    for _receiver, section in personal_data_requested.send(sender=get_user_model(), user=user):
        if section:
            name, value = section
            data[name] = value
    return data


def _forget_event_registrations(user, email):
    """Registrations stay (the event's numbers), without who registered."""
    try:
        Registration = apps.get_model("events", "EventRegistration")
    except LookupError:
        return
    field_names = {f.name for f in Registration._meta.get_fields()}
    mine = Registration.objects.filter(user=user) if "user" in field_names else Registration.objects.none()
    if email and "email" in field_names:
        mine = mine | Registration.objects.filter(email__iexact=email)
    for registration in mine.distinct():
        for name, value in (
            ("name", "Closed account"),
            ("organisation", ""),
            ("interpreter_language", ""),
            ("other_needs", ""),
        ):
            if name in field_names:
                setattr(registration, name, value)
        if "email" in field_names:
            # Unique per event: an address of its own that reaches no one.
            registration.email = f"closed-{user.pk}-{registration.pk}@closed.invalid"
        registration.save()


def close_account(user):
    """Remove the person's personal data and make the account unusable."""
    email = user.email
    with transaction.atomic():
        applications = MembershipApplication.objects.filter(user=user)
        if email:
            applications = applications | MembershipApplication.objects.filter(email__iexact=email)
        # Kept for the CoP's counts (when, what type of organisation, the decision),
        # without anything that says who applied.
        MembershipApplication.objects.filter(pk__in=list(applications.values_list("pk", flat=True))).update(
            name="",
            email="",
            organisation="",
            role="",
            region="",
            decision_message="",
            email_problem="",
        )
        for application in MembershipApplication.objects.filter(user=user):
            application.topics.clear()
        MemberProfile.objects.filter(user=user).delete()
        WorkingGroupMembership.objects.filter(user=user).delete()
        _forget_event_registrations(user, email)
        forget_address(email)  # e-mails to them that failed (hub/mail.py)
        for page in user.suggested_resources.all() if hasattr(user, "suggested_resources") else []:
            # The resource stays; who suggested it does not.
            type(page).objects.filter(pk=page.pk).update(suggested_by=None)

        user.username = f"closed-account-{user.pk}"
        user.first_name = ""
        user.last_name = ""
        user.email = ""
        user.is_active = False
        user.is_staff = False
        user.set_unusable_password()
        user.save()
        user.groups.clear()
        user.user_permissions.clear()
        account_closed.send(sender=get_user_model(), user=user, email=email)
