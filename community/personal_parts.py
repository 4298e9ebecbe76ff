"""The community's personal parts of shared pages (hub/personal.py): where the
reader stands for calls to join, and Follow buttons. Registered when the app
is ready."""

from django.middleware.csrf import get_token
from django.template.loader import get_template

from hub import personal


def _signed_in(request):
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


@personal.register("membership_note")
def membership_note(request):
    """The footer's call to join for visitors, or the state of an application."""
    from hub.context_processors import hub_site

    from .joining import membership_state

    return get_template("community/includes/membership_note.html").render(
        {"membership": membership_state(request), "hub": hub_site(request)["hub_site"]}
    )


@personal.register("join_panel")
def join_panel(request, heading, text):
    """The home page's welcome for members, application state for applicants,
    and the call to join (the page's ``heading`` and ``text``) for visitors."""
    from hub.context_processors import hub_site

    from .joining import membership_state

    return get_template("community/includes/join_panel.html").render(
        {
            "request": request,
            "user": getattr(request, "user", None),
            "membership": membership_state(request),
            "hub": hub_site(request)["hub_site"],
            "join_heading": heading,
            "join_text": text,
        }
    )


@personal.register("follow_button")
def follow_button(request, kind, object_id, name):
    from . import follows

    signed_in = _signed_in(request)
    following = signed_in and object_id in follows.followed_ids(request.user)[kind]
    return get_template("community/includes/follow_button.html").render(
        {
            "request": request,
            "signed_in": signed_in,
            "csrf_token": get_token(request) if signed_in else "",
            "kind": kind,
            "noun": follows.KINDS[kind].noun,
            "object_id": object_id,
            "name": name,
            "following": following,
        }
    )
