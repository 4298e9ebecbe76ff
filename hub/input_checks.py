"""Input no part of the hub can use is refused at the door, with a 400 and a message.

A NUL character (``%00``) is never part of a real address or form: PostgreSQL
refuses it in any text it is asked to compare or store ("A string literal cannot
contain NUL characters"), so without this check every filter, search and lookup
that passes a typed value to the database would answer with a 500. Text that is
not UTF-8 (``%FF``, a percent-encoded surrogate) is refused too, rather than
quietly read as replacement characters. Checked once here, before the page
cache, for the address (path and query string) and for form fields; the views
behind it may then treat every value as ordinary text.
"""

from urllib.parse import unquote_to_bytes

from django.http import JsonResponse
from django.shortcuts import render

ADDRESS_MESSAGE = (
    "This web address contains characters the hub cannot read (a NUL character or text that is "
    "not UTF-8). Check the link, or remove the odd characters and try again."
)
FORM_MESSAGE = (
    "The form contained characters the hub cannot read (a NUL character). "
    "Remove them and send the form again."
)
FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
JSON_PREFIXES = ("/api/",)


def unreadable(raw):
    """True when percent-decoded ``raw`` (bytes) holds a NUL or is not UTF-8."""
    decoded = unquote_to_bytes(raw)
    if b"\x00" in decoded:
        return True
    try:
        decoded.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def _wsgi_bytes(value):
    # WSGI hands over the raw bytes of the address as ISO-8859-1 text.
    try:
        return value.encode("iso-8859-1")
    except UnicodeEncodeError:
        return value.encode("utf-8", "surrogatepass")


class RefuseUnreadableInputMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path_info or unreadable(_wsgi_bytes(request.META.get("QUERY_STRING", ""))):
            return self.refuse(request, ADDRESS_MESSAGE)
        if request.method == "POST" and request.content_type in FORM_CONTENT_TYPES:
            fields = request.POST.lists()
            if any("\x00" in key or any("\x00" in value for value in values) for key, values in fields):
                return self.refuse(request, FORM_MESSAGE)
        return self.get_response(request)

    @staticmethod
    def refuse(request, message):
        if request.path_info.startswith(JSON_PREFIXES):
            return JsonResponse({"message": message}, status=400)
        return render(request, "400.html", {"message": message}, status=400)
