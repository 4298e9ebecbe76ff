"""Settings for an Elasticsearch outage: the hub's backend points at a closed
local port (every request refused, as in a real outage), with the database
backend beside it as the fallback, as the settings do when ELASTICSEARCH_URL
is set."""

from django.test import override_settings

OUTAGE = override_settings(
    WAGTAILSEARCH_BACKENDS={
        "default": {
            "BACKEND": "search.elasticsearch",
            "URLS": ["http://127.0.0.1:9"],  # nothing listens: connection refused
            "INDEX_PREFIX": "hub_test_",
            "TIMEOUT": 2,
            "OPTIONS": {"max_retries": 0},
        },
        "fallback": {"BACKEND": "wagtail.search.backends.database"},
    }
)
