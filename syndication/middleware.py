"""Headers for what partners may do with the hub's responses.

* Framing: only ``/embed/`` may be shown inside another site's page
  (``frame-ancestors *``). Every other response may be framed only by the hub
  itself (the admin's preview), and says so both ways browsers understand
  (``frame-ancestors 'self'`` in ``SECURE_CSP``, and X-Frame-Options).
* CORS: the API, feeds, embeds and OpenSearch description may be read by
  scripts on any site, with GET only.

It sits in front of the anonymous page cache, so cached responses get the same headers.
"""

from django.conf import settings
from django.http import HttpResponse

EMBED_PREFIX = "/embed/"
CORS_PREFIXES = ("/api/v2/", "/feeds/", EMBED_PREFIX, "/opensearch.xml")
READ_METHODS = ("GET", "HEAD", "OPTIONS")


class SyndicationHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        cors = request.path.startswith(CORS_PREFIXES)
        if cors and request.method == "OPTIONS":
            response = HttpResponse(status=204)
        else:
            response = self.get_response(request)

        if request.path.startswith(EMBED_PREFIX):
            # Django's ContentSecurityPolicyMiddleware, above this one, writes the header.
            response._csp_config = {**settings.SECURE_CSP, "frame-ancestors": ["*"]}
            if "X-Frame-Options" in response:
                del response["X-Frame-Options"]

        if cors and request.method in READ_METHODS:
            response["Access-Control-Allow-Origin"] = "*"
            response["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
            response["Access-Control-Allow-Headers"] = "Accept, Content-Type"
            response["Access-Control-Max-Age"] = "86400"
        return response
