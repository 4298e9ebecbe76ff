"""Guesses at a shared password (Wagtail's page privacy "password" option, and
the same for document collections) are limited per restriction and client
address: after ``GUESSES.limit`` wrong passwords in ``GUESSES.window`` seconds,
the form comes back with a 429 and the password is not checked until the
window has passed. Wagtail's own views do the rest (hub/urls.py routes its
addresses here first)."""

import functools

from wagtail.documents.views.serve import authenticate_with_password as document_view
from wagtail.views import authenticate_with_password as page_view

from hub.ratelimit import Limit, client_address

GUESSES = Limit("page-password", 10, 15 * 60)


def limit_guesses(view, kind):
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method != "POST":
            return view(request, *args, **kwargs)
        restriction_id = kwargs.get("page_view_restriction_id") or kwargs.get("restriction_id")
        key = (kind, restriction_id, client_address(request))
        if GUESSES.exceeded(*key):
            # The form again, keeping where the person was going, without
            # looking at the password.
            data = request.POST.copy()
            data.pop("password", None)
            request.POST = data
            response = view(request, *args, **kwargs)
            if getattr(response, "context_data", None) is not None:
                response.context_data["too_many_guesses"] = True
                response.status_code = 429
            return response
        response = view(request, *args, **kwargs)
        if response.status_code == 200:  # the form again: the password was wrong
            GUESSES.hit(*key)
        return response

    return wrapped


limited_page_view = limit_guesses(page_view, "page")
limited_document_view = limit_guesses(document_view, "collection")
