"""The join form: a visitor applies to join the Community of Practice.

What it guards against, without any outside service:
- robots, with a honeypot field people never see;
- floods, with a limit per e-mail address and per client address
  (``hub.ratelimit``: ``SUBMISSIONS_PER_ADDRESS`` an hour per e-mail address);
- duplicates: a second application from the same e-mail address is not saved.
- telling strangers about others: whatever the hub knows about the address
  (a member, an application waiting, approved or declined), the page gives the
  same answer as for a new application; the e-mail to that address says what
  applies (``application_already``). Only a signed-in member typing their own
  address is told on the page.

A valid application is saved first, then the applicant's confirmation and the
steering team's notice are sent; a failing mail service is noted on the
application for staff and never loses it.
"""

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from hub.forms import email_field, name_field, normalise_email, with_email
from hub.models import HubSettings, Topic
from hub.ratelimit import Limit, client_address

from . import mail
from .models import ORGANISATION_TYPES, MembershipApplication, WorkingGroupPage

SUBMISSIONS_PER_ADDRESS = 3
SUBMISSIONS_PER_NETWORK_ADDRESS = 20
RATE_WINDOW_SECONDS = 3600
BY_EMAIL = Limit("join-email", SUBMISSIONS_PER_ADDRESS, RATE_WINDOW_SECONDS)
BY_CLIENT = Limit("join-client", SUBMISSIONS_PER_NETWORK_ADDRESS, RATE_WINDOW_SECONDS)
SENT_SESSION_KEY = "community:application-sent"
HONEYPOT_MESSAGE = (
    "This form looks as if it was filled in automatically, so it was not sent. If you are a person, "
    "empty the field labelled “Leave this field empty” and send the form again."
)


class JoinForm(forms.Form):
    name = name_field()
    email = email_field("We write to you here about your application. We never share it.")
    organisation = forms.CharField(
        label="Organisation",
        max_length=200,
        help_text="The center, university or organisation you work for.",
        error_messages={"required": "Enter the name of your organisation."},
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    organisation_type = forms.ChoiceField(
        label="Type of organisation",
        choices=ORGANISATION_TYPES,
        error_messages={
            "required": "Choose the type of your organisation.",
            "invalid_choice": "Choose one of the types of organisation listed.",
        },
        widget=forms.RadioSelect,
    )
    role = forms.CharField(
        label="Your role",
        max_length=200,
        help_text="For example clinical director, peer specialist, researcher.",
        error_messages={"required": "Enter your role."},
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
    )
    region = forms.CharField(
        label="State or region (optional)",
        max_length=120,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-level1"}),
    )
    topics = forms.ModelMultipleChoiceField(
        label="Topics you are interested in (optional)",
        queryset=Topic.objects.order_by("name"),
        required=False,
        error_messages={
            "invalid_choice": "Choose topics from the list only.",
            "invalid_pk_value": "Choose topics from the list only.",
            "list": "Choose topics from the list only.",
        },
        widget=forms.CheckboxSelectMultiple(attrs={"class": "facet__checkbox"}),
    )
    working_groups = forms.ModelMultipleChoiceField(
        label="Working groups you would like to join (optional)",
        queryset=WorkingGroupPage.objects.none(),
        required=False,
        help_text="When your membership is approved, we pass your interest on to each group's chairs.",
        error_messages={
            "invalid_choice": "Choose working groups from the list only.",
            "invalid_pk_value": "Choose working groups from the list only.",
            "list": "Choose working groups from the list only.",
        },
        widget=forms.CheckboxSelectMultiple(attrs={"class": "facet__checkbox"}),
    )
    consent = forms.BooleanField(
        label="I agree to the privacy notice: the CoP keeps what I send to run the Community of Practice.",
        error_messages={"required": "To join, agree to the privacy notice."},
    )
    # The honeypot: hidden from people (off screen, out of the tab order), and
    # filled in by robots that fill in every field.
    website = forms.CharField(label="Leave this field empty", required=False, max_length=200)

    def __init__(self, *args, working_groups=None, **kwargs):
        super().__init__(*args, **kwargs)
        if working_groups is not None:
            self.fields["working_groups"].queryset = working_groups
        self.fields["website"].widget.attrs.update(tabindex="-1", autocomplete="off")

    def clean_website(self):
        if self.cleaned_data.get("website", "").strip():
            raise forms.ValidationError(HONEYPOT_MESSAGE)
        return ""

    def clean_email(self):
        return normalise_email(self.cleaned_data["email"])


def open_working_groups(request):
    """Working groups a visitor may pick: live, public and open to new members."""
    return WorkingGroupPage.objects.live().public().filter(accepts_requests=True).order_by("path")


# --- rate limiting -----------------------------------------------------------


def within_rate_limit(request, email):
    by_address = BY_EMAIL.hit(normalise_email(email))
    by_network = BY_CLIENT.hit(client_address(request))
    return by_address and by_network


# --- duplicates --------------------------------------------------------------


def existing_status(email):
    """What the hub already knows about ``email``: 'member', an earlier
    application's status, or None."""
    if with_email(get_user_model().objects.filter(is_active=True), email).exists():
        return "member", None
    earlier = with_email(MembershipApplication.objects.all(), email).order_by("-submitted_at").first()
    if earlier is None:
        return None, None
    return earlier.status, earlier


# --- submission --------------------------------------------------------------


def create_application(data):
    with transaction.atomic():
        application = MembershipApplication.objects.create(
            name=data["name"],
            email=data["email"],
            organisation=data["organisation"],
            organisation_type=data["organisation_type"],
            role=data["role"],
            region=data["region"],
            consented_at=timezone.now(),
        )
        application.topics.set(data["topics"])
        application.working_groups.set(data["working_groups"])
    return application


def send_application_emails(application):
    """The applicant's copy and the steering team's notice. Returns the errors."""
    context = {
        "application": application,
        "topics": list(application.topics.all()),
        "working_groups": list(application.working_groups.all()),
        "admin_url": mail.full_url(
            reverse("community_membershipapplication_modeladmin_inspect", args=[application.pk])
        ),
    }
    errors = []
    error = mail.send("application_received", context, [application.email])
    application.copy_sent = error is None  # what the thank-you message may say
    if error:
        application.note_email_problem("The confirmation to the applicant", error)
        errors.append(error)
    error = mail.send("application_notice", context, mail.steering_addresses())
    if error:
        application.note_email_problem("The notice to the steering team", error)
        errors.append(error)
    return errors


def send_what_applies(request, status, earlier, email):
    """The e-mail to an address the hub already knows, saying what applies to it.
    Only what the hub holds goes in it, nothing the sender typed. Returns the error."""
    User = get_user_model()
    account = with_email(User.objects.filter(is_active=True), email).first() if status == "member" else None
    context = {
        "status": status,
        "earlier": earlier,
        "name": earlier.name if earlier else (account.get_full_name() if account else ""),
        "sign_in_url": mail.full_url(reverse("login")),
        "reset_url": mail.full_url(reverse("password_reset")),
        "contact_email": HubSettings.for_request(request).contact_email,
    }
    error = mail.send("application_already", context, [email])
    if error and earlier is not None:
        earlier.note_email_problem("A reply to a repeated application", error)
    return error


def render_join_page(page, request, form, status=200, **extra):
    context = page.get_context(request)
    context.update(form=form, **extra)
    return TemplateResponse(request, page.get_template(request), context, status=status)


def serve_join_page(page, request):
    groups = open_working_groups(request)
    if request.method != "POST":
        sent = request.session.get(SENT_SESSION_KEY) if request.GET.get("sent") else None
        if sent:
            return render_join_page(page, request, None, sent=sent)
        return render_join_page(page, request, JoinForm(working_groups=groups))

    form = JoinForm(request.POST, working_groups=groups)
    if not form.is_valid():
        return render_join_page(page, request, form, status=400)

    email = form.cleaned_data["email"]
    if not within_rate_limit(request, email):
        return render_join_page(page, request, form, status=429, rate_limited=True)

    known, earlier = existing_status(email)
    if known is not None and request.user.is_authenticated and normalise_email(request.user.email) == email:
        # Their own address: nothing to hide from them.
        return render_join_page(page, request, form, already=known, earlier=earlier, email=email)

    if known is not None:
        copy_sent = send_what_applies(request, known, earlier, email) is None
    else:
        application = create_application(form.cleaned_data)
        send_application_emails(application)
        copy_sent = application.copy_sent
    # The same answer whatever the hub knew about the address (see the module's docstring).
    request.session[SENT_SESSION_KEY] = {
        "name": form.cleaned_data["name"],
        "email": email,
        "copy_sent": copy_sent,
    }
    return HttpResponseRedirect(f"{page.get_url(request)}?sent=1", status=303)


MEMBERS_GROUP = "Members"


def membership_state(request):
    """Where the person making ``request`` stands, for calls to join:

    - ``member``: signed in (an account is made when an application is
      approved, so everyone signed in is in; staff are not asked to join);
    - ``applicant``: an application is on its way. For a signed-in person
      without the Members group, their own pending application, with its date;
      for a visitor, only what their own browser sent (the session), never
      looked up by address, so nobody learns about an address they typed;
    - ``visitor``: anyone else. Pages for visitors without a session are
      the same for all of them and stay in the anonymous page cache.
    """
    if not hasattr(request, "_hub_membership"):
        request._hub_membership = _membership_state(request)
    return request._hub_membership


def _members_group_id():
    """The Members group's id, remembered for a few minutes (asked on every
    page a signed-in person reads): renaming the group takes that long."""
    from django.contrib.auth.models import Group
    from django.core.cache import cache

    key = f"hub:group-id:{MEMBERS_GROUP}"
    found = cache.get(key)
    if found is None:
        found = Group.objects.filter(name=MEMBERS_GROUP).values_list("pk", flat=True).first() or 0
        cache.set(key, found, 300)
    return found


def _membership_state(request):
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        from hub.privacy import _user_group_ids

        if user.is_staff or _members_group_id() in _user_group_ids(user):
            return {"state": "member"}
        application = (
            MembershipApplication.objects.filter(status=MembershipApplication.PENDING)
            .filter(models.Q(user=user) | models.Q(email__iexact=user.email or "-"))
            .order_by("-submitted_at")
            .first()
        )
        if application is not None:
            return {"state": "applicant", "submitted_at": application.submitted_at}
        return {"state": "member"}
    session = getattr(request, "session", None)
    if session is not None and request.COOKIES.get(settings.SESSION_COOKIE_NAME):
        if session.get(SENT_SESSION_KEY):
            return {"state": "applicant", "submitted_at": None}
    return {"state": "visitor"}
