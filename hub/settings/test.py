"""Test settings: fast password hashing, in-memory e-mail, isolated caches."""

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-not-secret"
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "hub-tests",
    }
}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WAGTAILADMIN_BASE_URL = "http://testserver"
WHITENOISE_USE_FINDERS = True
# Tests read X-Page-Cache to tell a cached view from a fresh one.
HUB_EXPOSE_CACHE_HEADER = True
# Tests search the database backend whatever OPENSEARCH_URL or ELASTICSEARCH_URL
# say (CI sets OPENSEARCH_URL for the live suite): an engine's index is not
# rolled back with each test's transaction. The live suite's fixture
# (tests/live_search.py) points the tests that need the engine at it, under an
# index prefix of the test run's own.
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
