"""Settings shared by every environment.

Everything that differs between a laptop, CI and production comes from
environment variables, documented in ``.env.example``. Unset variables fall back
to safe local defaults: an SQLite file, Wagtail's database search backend and a
local-memory cache.
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "hub",
    "home",
    "knowledge",
    "events",
    "search",
    "community",
    "syndication",
    "metrics",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.frontend_cache",
    "wagtail.contrib.search_promotions",
    "wagtail.contrib.sitemaps",
    "wagtail.api.v2",
    "rest_framework",
    "wagtail_modeladmin",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django_tasks_db",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    # A 405 for TRACE and other methods the hub does not use; X-Forwarded-Proto
    # believed only from TRUSTED_PROXIES (hub/security.py).
    "hub.security.RequestScreeningMiddleware",
    # A plain 503 with Retry-After when the database does not answer, for errors
    # in views; handler500 does the same for errors in middleware (hub/database_outage.py).
    "hub.database_outage.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # SECURE_CSP on every response, cached ones included; HUB_ADMIN_CSP in the admin.
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "hub.security.AdminContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Framing and CORS headers, also on responses served from the page cache.
    "syndication.middleware.SyndicationHeadersMiddleware",
    # A 400 for a NUL or non-UTF-8 text in the address or a form (hub/input_checks.py).
    "hub.input_checks.RefuseUnreadableInputMiddleware",
    # Counts visits partners send (?ref=<partner>), cached page views included.
    "community.partners.referrals.ReferralMiddleware",
    # Counts page views per page and day (metrics/counting.py), cached ones included.
    "metrics.counting.PageViewCountMiddleware",
    # Serves anonymous page views from the cache before sessions, auth and
    # CSRF are touched; see hub/cache.py for what is cached and when it is purged.
    "hub.cache.AnonymousPageCacheMiddleware",
    "hub.routing.CachedSiteMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Sessions end after HUB_SESSION_IDLE_STAFF / _MEMBER seconds unused (hub/security.py).
    "hub.security.SessionIdleTimeoutMiddleware",
    # Members' page views (and visitors' pages with a form) shared by everyone
    # who may see the same pages, the personal parts filled in per person
    # (hub/cache.py, hub/personal.py).
    "hub.cache.SharedPageCacheMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # "private, no-store" on a document served only because of who asked (hub/document_privacy.py).
    "hub.document_privacy.PrivateDocumentMiddleware",
]

ROOT_URLCONF = "hub.urls"
WSGI_APPLICATION = "hub.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "hub.context_processors.hub_site",
                "hub.context_processors.fragment_cache_keys",
            ],
        },
    },
]

# Database: DATABASE_URL, or an SQLite file in the project for local use.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Persistent connections are pointless for SQLite; WAL lets the dev server
    # and a management command share the file.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    )

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Wagtail's PostgreSQL search backend needs its full-text fields and indexes.
    INSTALLED_APPS.append("django.contrib.postgres")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The hub's own sign-in page (community/urls.py), also for members-only pages.
LOGIN_URL = "/account/sign-in/"
LOGIN_REDIRECT_URL = "/account/"
WAGTAIL_FRONTEND_LOGIN_URL = LOGIN_URL
# Sign-in attempts are limited per account and client address (community/auth.py).
AUTHENTICATION_BACKENDS = ["community.auth.RateLimitedModelBackend"]
# Proxies (addresses or networks, comma-separated) whose X-Forwarded-For is
# believed: rate limits count the client behind them (hub/ratelimit.py). Empty:
# REMOTE_ADDR is the client, and X-Forwarded-For is ignored.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")
# Sessions are read from the cache and written through to the database: one
# query less on every signed-in request, and nothing lost when the cache restarts.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# Idle timeouts (hub/security.py): 2 hours for anyone who can reach the admin,
# 14 days for members; activity renews them, written at most every 5 minutes.
HUB_SESSION_IDLE_STAFF = 2 * 60 * 60
HUB_SESSION_IDLE_MEMBER = 14 * 24 * 60 * 60
HUB_SESSION_RENEW_EVERY = 5 * 60
SESSION_COOKIE_AGE = HUB_SESSION_IDLE_MEMBER

# Content-Security-Policy (Django's ContentSecurityPolicyMiddleware). Public pages
# run only the hub's own static scripts and styles: no inline <script>, style
# attribute or event handler. Video players (the video block) may be framed from
# HUB_CSP_FRAME_SRC; /embed/ may be framed by any site (syndication/middleware.py).
HUB_CSP_FRAME_SRC = env_list(
    "HUB_CSP_FRAME_SRC", "https://www.youtube.com,https://www.youtube-nocookie.com,https://player.vimeo.com"
)
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "frame-src": [CSP.SELF, *HUB_CSP_FRAME_SRC],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.SELF],
}
# The Wagtail and Django admin write some scripts and styles inline (and the
# steering dashboard's pygal charts carry their own <style>): the admin keeps
# every other rule but allows inline scripts and styles. Editors are signed-in
# staff, and what they type is escaped by the admin's templates.
HUB_ADMIN_CSP = {
    **SECURE_CSP,
    "script-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "font-src": [CSP.SELF, "data:"],
}

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

# Static and media files. WhiteNoise serves static files in every environment.
STATIC_URL = "/static/"
# Empty (STATIC_ROOT= in a .env file) means unset, as for MEDIA_ROOT.
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Images and documents in an S3-compatible bucket (django-storages) when
# AWS_STORAGE_BUCKET_NAME is set, MEDIA_ROOT otherwise. The bucket stays
# private: no public-read ACL, and links to its files are signed for
# AWS_QUERYSTRING_EXPIRE seconds (a day: longer than a page and its fragments
# are cached). Documents never link to the bucket: the hub's document view
# checks who may open one and streams it from there (WAGTAILDOCS_SERVE_METHOD).
AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
if AWS_STORAGE_BUCKET_NAME:
    from urllib.parse import urlsplit

    _endpoint = os.environ.get("AWS_S3_ENDPOINT_URL", "")
    _region = os.environ.get("AWS_S3_REGION_NAME", "")
    # "path" (host/bucket/key: MinIO and most self-hosted services) or
    # "virtual" (bucket.host/key); unset: boto3 chooses.
    _addressing = os.environ.get("AWS_S3_ADDRESSING_STYLE", "")
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": _endpoint or None,
            "region_name": _region or None,
            "addressing_style": _addressing or None,
            # Unset: boto3 finds credentials itself (an instance or task role).
            "access_key": os.environ.get("AWS_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("AWS_SECRET_ACCESS_KEY") or None,
            "signature_version": "s3v4",
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": int(os.environ.get("AWS_QUERYSTRING_EXPIRE", "86400")),
            "file_overwrite": False,
            "object_parameters": {"CacheControl": "max-age=86400"},
        },
    }
    # Pages show images from the bucket's own address, so the Content-Security-Policy allows it.
    if _endpoint:
        _endpoint_parts = urlsplit(_endpoint)
        _media_origins = [f"{_endpoint_parts.scheme}://{_endpoint_parts.netloc}"]
        if _addressing != "path":
            _media_origins.append(
                f"{_endpoint_parts.scheme}://{AWS_STORAGE_BUCKET_NAME}.{_endpoint_parts.netloc}"
            )
    else:
        _media_origins = [f"https://{AWS_STORAGE_BUCKET_NAME}.s3.amazonaws.com"]
        if _region:
            _media_origins += [
                f"https://{AWS_STORAGE_BUCKET_NAME}.s3.{_region}.amazonaws.com",
                f"https://s3.{_region}.amazonaws.com",
            ]
        else:
            _media_origins.append("https://s3.amazonaws.com")
    SECURE_CSP["img-src"] += _media_origins
    HUB_ADMIN_CSP["img-src"] += _media_origins

DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# Caching: Redis when REDIS_URL (or a redis:// CACHE_URL) is set, local memory
# otherwise. The page cache (hub/cache.py) uses the default cache.
CACHE_URL = os.environ.get("CACHE_URL") or os.environ.get("REDIS_URL", "")
if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {
            # Django's RedisCache that serves on, uncached, while Redis is down.
            "BACKEND": "hub.cache_backend.ResilientRedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "hub"),
            "TIMEOUT": 600,
        }
    }
elif CACHE_URL.startswith("dummy://"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "hub",
            "TIMEOUT": 600,
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "600"))
# Page views and document downloads counted per day for the steering reports
# (metrics/counting.py): a cache increment per view, no personal data. 0 turns it off.
HUB_COUNT_VIEWS = env_bool("HUB_COUNT_VIEWS", True)
# X-Page-Cache: hit/miss on cached pages, for operations checking the cache;
# off unless asked for (or DEBUG), so visitors learn nothing of the cache.
HUB_EXPOSE_CACHE_HEADER = env_bool("HUB_EXPOSE_CACHE_HEADER", DEBUG)
# Partner feeds and the link checker never fetch from internal addresses
# (loopback, private, link-local, metadata; hub/outbound.py). Hosts listed here
# ("host" or "host:port") are exempt: empty in production; `make run` allows
# itself so the demo partners' feeds, served by the local hub, can be read.
HUB_OUTBOUND_ALLOWED_HOSTS = env_list("HUB_OUTBOUND_ALLOWED_HOSTS")

# E-mail (Django 6.1 mailers). EMAIL_URL-style pieces keep .env files short.
# Every message goes into the mail queue first ("default", hub/mail.py); the
# worker (`manage.py db_worker --backend mail`) sends it through "outgoing",
# trying again with backoff while the mail server fails.
_smtp_host = os.environ.get("EMAIL_HOST", "")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "CoP Knowledge Hub <hub@localhost>")
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
if _smtp_host:
    # Django's SMTP backend that records each failed send (hub/mail.py).
    _outgoing_mailer = {
        "BACKEND": "hub.mail.SMTPEmailBackend",
        "OPTIONS": {
            "host": _smtp_host,
            "port": int(os.environ.get("EMAIL_PORT", "587")),
            "username": os.environ.get("EMAIL_HOST_USER", ""),
            "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
            "use_tls": env_bool("EMAIL_USE_TLS", True),
            "timeout": int(os.environ.get("EMAIL_TIMEOUT", "10")),
        },
    }
else:
    # No mail server configured: the worker prints messages to the console so
    # nothing is sent by accident from a laptop.
    _outgoing_mailer = {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
MAILERS = {
    "default": {"BACKEND": "hub.mail.QueuedEmailBackend", "OPTIONS": {"mailer": "outgoing"}},
    "outgoing": _outgoing_mailer,
}
ADMINS = [("Hub staff", a) for a in env_list("ADMIN_EMAILS")]

# Background tasks. Wagtail's (search indexing, image renditions, cache purges)
# use the django-tasks backport's "default" and run immediately in-process.
# "mail" is the mail queue (hub/mail.py): django-tasks-db's table in the
# hub's database, run by `manage.py db_worker --backend mail`.
TASKS = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    "mail": {"BACKEND": "django_tasks_db.DatabaseBackend"},
}

# The periodic jobs, all run by one process: `manage.py run_scheduler`
# (hub/scheduler.py). Name: (cron expression in TIME_ZONE, management command).
# They run one after another in this order when several are due at once.
HUB_SCHEDULE = {
    "publish_scheduled": ("*/10 * * * *", "publish_scheduled"),
    "send_event_reminders": ("*/5 * * * *", "send_event_reminders"),
    "flush_counts": ("*/5 * * * *", "flush_counts"),
    "retry_search_queue": ("*/5 * * * *", "update_index --queued"),
    "send_digests": ("0 * * * *", "send_digests"),
    "fetch_partner_feeds": ("0 * * * *", "fetch_partner_feeds"),
    "send_review_reminders": ("0 7 * * *", "send_review_reminders"),
    "check_links": ("0 5 * * 1", "check_links"),
    "update_index": ("0 2 * * *", "update_index"),
    "prune_mail_queue": ("30 3 * * *", "prune_db_task_results --backend mail --min-age-days 1"),
    "clearsessions": ("0 4 * * *", "clearsessions"),
}
# A scheduler holds a job this long and renews it while the job runs; one that
# dies mid-job leaves the job to another scheduler after this many seconds.
HUB_SCHEDULER_LEASE_SECONDS = 300
# /health/ready/ says "backlog" (the hub "degraded") when a task has waited
# longer than this in a database queue: no worker is taking them.
HUB_READY_TASK_BACKLOG_SECONDS = int(os.environ.get("HUB_READY_TASK_BACKLOG_SECONDS", "600"))

# Search: Wagtail's database backend unless a search engine's URL is set.
# OPENSEARCH_URL selects the hub's OpenSearch backend (search/opensearch.py),
# ELASTICSEARCH_URL the hub's Elasticsearch one (search/elasticsearch.py); both
# add the hub's analysis, synonyms, typo tolerance and queue of failed writes
# (search/hub_backend.py). With either, the database backend is kept current
# beside it as the fallback that answers searches while the engine cannot.
OPENSEARCH_URL = os.environ.get("OPENSEARCH_URL", "")
OPENSEARCH_INDEX_PREFIX = os.environ.get("OPENSEARCH_INDEX_PREFIX", "hub_")
ELASTICSEARCH_URL = os.environ.get("ELASTICSEARCH_URL", "")
ELASTICSEARCH_INDEX_PREFIX = os.environ.get("ELASTICSEARCH_INDEX_PREFIX", "hub_")
# 9 (default) or 8 (an 8.10+ cluster, with the 8.x client pinned: see README).
ELASTICSEARCH_VERSION = os.environ.get("ELASTICSEARCH_VERSION", "9")
SEARCH_ENGINE_OPTIONS = {
    "TIMEOUT": 5,
    # One retry: during an outage a save waits for two attempts, not four.
    "OPTIONS": {"max_retries": 1},
    "INDEX_SETTINGS": {},
}
# The certificate authorities (a PEM file) an https engine's certificate is
# checked against, when it is not signed by a public one (docs/deploy.md,
# "OpenSearch security"). Unset: the public authorities (certifi).
SEARCH_CA_CERTS = os.environ.get("SEARCH_CA_CERTS", "")
if SEARCH_CA_CERTS:
    SEARCH_ENGINE_OPTIONS["OPTIONS"]["ca_certs"] = SEARCH_CA_CERTS
if OPENSEARCH_URL and ELASTICSEARCH_URL:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "Set OPENSEARCH_URL or ELASTICSEARCH_URL, not both: the hub searches one engine."
    )
if OPENSEARCH_URL:
    WAGTAILSEARCH_BACKENDS = {
        "default": {
            "BACKEND": "search.opensearch.HubOpenSearchSearchBackend",
            "URLS": [OPENSEARCH_URL],
            "INDEX_PREFIX": OPENSEARCH_INDEX_PREFIX,
            **SEARCH_ENGINE_OPTIONS,
        },
        "fallback": {"BACKEND": "wagtail.search.backends.database"},
    }
elif ELASTICSEARCH_URL:
    WAGTAILSEARCH_BACKENDS = {
        "default": {
            "BACKEND": f"search.elasticsearch.HubElasticsearch{ELASTICSEARCH_VERSION}SearchBackend",
            "URLS": [ELASTICSEARCH_URL],
            "INDEX_PREFIX": ELASTICSEARCH_INDEX_PREFIX,
            **SEARCH_ENGINE_OPTIONS,
        },
        "fallback": {"BACKEND": "wagtail.search.backends.database"},
    }
else:
    WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}

# Wagtail
WAGTAIL_SITE_NAME = "CoP Knowledge Hub"
# No avatars fetched from gravatar.com: the admin would otherwise send a hash
# of each editor's e-mail address to an outside service on every page.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 20 * 1024 * 1024
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_FINISH_WORKFLOW_ACTION = "hub.workflows.publish_approved"
WAGTAIL_WORKFLOW_CANCEL_ON_PUBLISH = True
WAGTAIL_USAGE_COUNT_ENABLED = True
# Documents always go through the hub's view, which checks who may open them
# (hub/document_privacy.py), never a redirect to the storage's own address.
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILEMBEDS_RESPONSIVE_HTML = True
TAGGIT_CASE_INSENSITIVE = True

# Frontend cache (CDN) purging, only when a purge endpoint is configured.
if os.environ.get("FRONTEND_CACHE_PURGE_URL"):
    WAGTAILFRONTENDCACHE = {
        "default": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
            "LOCATION": os.environ["FRONTEND_CACHE_PURGE_URL"],
        }
    }
elif os.environ.get("CLOUDFLARE_ZONEID"):
    WAGTAILFRONTENDCACHE = {
        "default": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.CloudflareBackend",
            "BEARER_TOKEN": os.environ.get("CLOUDFLARE_BEARER_TOKEN", ""),
            "ZONEID": os.environ["CLOUDFLARE_ZONEID"],
        }
    }

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        # Background task and page-action chatter is useful only when debugging.
        "django_tasks": {"level": os.environ.get("TASKS_LOG_LEVEL", "WARNING")},
        "wagtail": {"level": os.environ.get("WAGTAIL_LOG_LEVEL", "WARNING")},
        # opensearch-py logs every request at INFO; failures are logged by the hub.
        "opensearch": {"level": os.environ.get("SEARCH_CLIENT_LOG_LEVEL", "WARNING")},
        "elastic_transport": {"level": os.environ.get("SEARCH_CLIENT_LOG_LEVEL", "WARNING")},
    },
}
