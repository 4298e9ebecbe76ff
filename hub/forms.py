"""Form fields the hub's public forms share, with one wording for each
message a person may see, and the one form of an e-mail address the hub
compares and stores (``normalise_email``)."""

import unicodedata

from django import forms


def normalise_email(value):
    """``value`` as the hub compares and stores e-mail addresses: Unicode NFKC,
    trimmed, case-folded (so "ſ" is "s", "Ana@Example.org" is "ana@example.org")."""
    text = unicodedata.normalize("NFKC", value or "").strip()
    return unicodedata.normalize("NFKC", text.casefold())


def with_email(queryset, email, field="email"):
    """The rows of ``queryset`` whose ``field`` is ``email`` once both are normalised.

    The database narrows the rows case-insensitively (which also keeps addresses
    stored before they were normalised); the comparison itself is made here,
    because PostgreSQL's case-insensitive match is looser (``upper('ı') = 'I'``)."""
    wanted = normalise_email(email)
    if not wanted:
        return queryset.none()
    rows = queryset.filter(**{f"{field}__iexact": wanted}).values_list("pk", field)
    return queryset.filter(pk__in=[pk for pk, value in rows if normalise_email(value) == wanted])


def normalise_stored_email(sender, instance, **kwargs):
    """A ``pre_save`` receiver: a model's ``email`` stored normalised, however it
    was written (a form, the admin, a management command). Apps connect it for
    their own models."""
    email = getattr(instance, "email", None)
    if email:
        instance.email = normalise_email(email)


class NormalisedEmailField(forms.EmailField):
    def to_python(self, value):
        return normalise_email(super().to_python(value))


def name_field():
    return forms.CharField(
        label="Your name",
        max_length=200,
        error_messages={"required": "Enter your name."},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )


def email_field(help_text):
    return NormalisedEmailField(
        label="E-mail address",
        max_length=254,
        help_text=help_text,
        error_messages={
            "required": "Enter your e-mail address.",
            "invalid": "Enter an e-mail address in the right format, like name@example.org.",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
