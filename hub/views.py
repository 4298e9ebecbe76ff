from django.http import HttpResponse
from django.shortcuts import render


def liveness(request):
    """Answers 'ok' without touching the database: for load balancers, and the
    benchmark's measure of what this machine's Django stack can serve at most."""
    return HttpResponse("ok", content_type="text/plain")


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # Rendered without a request context: the database or the page tree may be
    # what failed, so 500.html relies on nothing but static files.
    return render(None, "500.html", status=500)
