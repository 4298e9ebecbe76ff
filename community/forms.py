"""Forms of the member's pages: profile, closing the account, password reset,
and asking to join a working group. The join form is in community/joining.py."""

import logging

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.db import transaction

from hub.forms import normalise_email
from hub.models import Topic
from hub.ratelimit import Limit

from .auth import is_locked_out
from .models import ORGANISATION_TYPES, MemberProfile

logger = logging.getLogger(__name__)

RESET_EMAILS_PER_ADDRESS = 3
RESET_WINDOW_SECONDS = 3600
RESET_EMAILS = Limit("password-reset", RESET_EMAILS_PER_ADDRESS, RESET_WINDOW_SECONDS)


class SignInForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "That username and password do not match an account. Check them and try again.",
        "inactive": "This account is closed or not yet active. Contact us if you think that is wrong.",
        "locked_out": (
            "Too many attempts to sign in to this account from here. Wait 15 minutes and try again, "
            "or reset your password."
        ),
    }

    def clean(self):
        username = self.cleaned_data.get("username")
        if username and is_locked_out(username, self.request):
            raise forms.ValidationError(self.error_messages["locked_out"], code="locked_out")
        return super().clean()


class ProfileForm(forms.ModelForm):
    first_name = forms.CharField(label="First name", max_length=150, required=False)
    last_name = forms.CharField(label="Last name", max_length=150, required=False)
    organisation_type = forms.ChoiceField(
        label="Type of organisation",
        choices=[("", "Not given"), *ORGANISATION_TYPES],
        required=False,
        error_messages={"invalid_choice": "Choose one of the types of organisation listed."},
    )
    topics = forms.ModelMultipleChoiceField(
        label="Topics you are interested in",
        queryset=Topic.objects.order_by("name"),
        required=False,
        error_messages={
            "invalid_choice": "Choose topics from the list only.",
            "invalid_pk_value": "Choose topics from the list only.",
        },
        widget=forms.CheckboxSelectMultiple(attrs={"class": "facet__checkbox"}),
    )

    class Meta:
        model = MemberProfile
        fields = [
            "organisation",
            "organisation_type",
            "role",
            "region",
            "topics",
            "email_news",
            "email_working_groups",
            "digest_frequency",
        ]
        labels = {
            "email_news": "E-mail me the CoP's news and invitations to events",
            "email_working_groups": "E-mail me meeting notices from my working groups",
            "digest_frequency": "How often to e-mail you what is new in what you follow",
        }
        help_texts = {
            "digest_frequency": (
                "The news digest lists new and reviewed resources, upcoming events and partner news "
                "in the topics, working groups and partner communities you follow. "
                "Nothing is sent when there is nothing new."
            ),
        }
        widgets = {"digest_frequency": forms.RadioSelect(attrs={"class": "facet__checkbox"})}
        error_messages = {
            "digest_frequency": {
                "required": "Choose how often the news digest comes, or “Never”.",
                "invalid_choice": "Choose one of the choices listed for the news digest.",
            }
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["first_name"].initial = user.first_name
        self.fields["last_name"].initial = user.last_name
        self.fields["organisation"].widget.attrs["autocomplete"] = "organization"
        self.fields["first_name"].widget.attrs["autocomplete"] = "given-name"
        self.fields["last_name"].widget.attrs["autocomplete"] = "family-name"
        # A form sent without it (a page loaded before the choice existed) keeps the member's choice.
        self.fields["digest_frequency"].required = False

    def clean_digest_frequency(self):
        return self.cleaned_data.get("digest_frequency") or self.instance.digest_frequency

    def save(self, commit=True):
        # The account's name, the profile and its topics: all of it or none.
        with transaction.atomic():
            self.user.first_name = self.cleaned_data["first_name"]
            self.user.last_name = self.cleaned_data["last_name"]
            self.user.save(update_fields=["first_name", "last_name"])
            self.instance.user = self.user
            return super().save(commit)


class CloseAccountForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your password to confirm it is you."},
    )
    confirm = forms.BooleanField(
        label="I understand that closing my account removes my personal data and cannot be undone.",
        error_messages={"required": "Tick the box to confirm you want to close your account."},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if not user.has_usable_password():
            del self.fields["password"]

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password. Try again.")
        return password


class AskToJoinForm(forms.Form):
    working_group = forms.IntegerField(
        widget=forms.HiddenInput,
        error_messages={"required": "Choose a working group.", "invalid": "Choose a working group."},
    )
    message = forms.CharField(
        label="What would you like to bring to the group, or get from it? (optional)",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "max_length": "Keep this to %(limit_value)d characters or fewer (it has %(show_value)d)."
        },
    )


class HubPasswordResetForm(PasswordResetForm):
    """Django's reset form, sending one address at most three reset e-mails an
    hour. Like Django's, it says the same whether or not the address has an
    account, and a mail failure is logged (by Django) rather than shown, which
    would tell a stranger the address has an account."""

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email, **kwargs):
        if not RESET_EMAILS.hit(normalise_email(to_email)):
            logger.warning(
                "Password reset e-mail held back: more than %s asked for this hour", RESET_EMAILS.limit
            )
            return
        super().send_mail(subject_template_name, email_template_name, context, from_email, to_email, **kwargs)
