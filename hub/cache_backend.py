"""A Redis cache the hub keeps serving without.

Everything the hub keeps in the cache can be rebuilt from the database, so a
Redis outage must cost speed, never a page. ``ResilientRedisCache`` is Django's
``RedisCache`` that behaves, while Redis cannot be reached, as an empty cache
that keeps nothing: reads miss, writes are dropped, ``add`` stores nothing
(returns False) and ``incr`` finds no key (``ValueError``, as for a missing
key). Every caller already copes with that, so no caller needs its own
try/except:

- pages, fragments and lookups are computed from the database;
- sessions (``cached_db``) are read from and written to the database;
- counters kept in the cache (page views, downloads) are lost for the outage;
- rate limits cannot count, so they let people through (they fail open).

So that requests do not hang on a server that does not answer, connecting
waits at most ``socket_connect_timeout`` (default 0.5 s) and, after a failure,
this process does not try Redis again for ``RETRY_SECONDS``: every cache call
in between is an immediate miss. The failure is logged once per
``LOG_EVERY_SECONDS``; ``status()`` tells the readiness check.

When Redis answers again, the first process call that succeeds sends
``cache_recovered``: the page cache moves its generation on (pages cached
before the outage may be older than publishes made during it) and cached copies
of sessions are dropped (a sign-out during the outage deleted the session from
the database only).
"""

import logging
import threading
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.dispatch import Signal
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry

logger = logging.getLogger(__name__)

RETRY_SECONDS = 5
LOG_EVERY_SECONDS = 60
SESSION_KEY_PREFIX = "django.contrib.sessions.cached_db"
UNAVAILABLE = (RedisError, OSError)

# Sent (by the backend, no arguments) when a cache that was unreachable answers again.
cache_recovered = Signal()


class _Health:
    """Whether one Redis location answers, shared by every thread of the process
    (Django makes one backend object per thread)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.down_since = None
        self.retry_at = 0.0
        self.logged_at = None
        self.last_error = ""

    def skipping(self):
        return self.down_since is not None and time.monotonic() < self.retry_at

    def failed(self, location, error):
        now = time.monotonic()
        with self.lock:
            if self.down_since is None:
                self.down_since = time.time()
            self.retry_at = now + RETRY_SECONDS
            self.last_error = f"{type(error).__name__}: {error}"
            log = self.logged_at is None or now - self.logged_at >= LOG_EVERY_SECONDS
            if log:
                self.logged_at = now
        if log:
            logger.error(
                "The cache at %s cannot be reached (%s); serving without it, retrying every %s s",
                location,
                self.last_error,
                RETRY_SECONDS,
            )

    def succeeded(self):
        """True once, for the call that finds the cache back after an outage."""
        if self.down_since is None:
            return False
        with self.lock:
            if self.down_since is None:
                return False
            self.down_since, self.logged_at, self.last_error = None, None, ""
        return True


_health = {}
_health_lock = threading.Lock()


def _health_of(location):
    with _health_lock:
        return _health.setdefault(location, _Health())


class _SharedClientRedisCacheClient(RedisCacheClient):
    """Django's Redis client builds a new ``redis.Redis`` object for every
    cache call, copying its table of reply handlers each time (a large share of
    a cached call's time). One per connection pool is enough: ``redis.Redis``
    takes a connection from the pool for each command and may be shared by the
    threads of a process."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        options = dict(params.get("OPTIONS") or {})
        options.setdefault("socket_connect_timeout", 0.5)
        options.setdefault("socket_timeout", 1.0)
        # A call that fails is not retried by the client: the next request tries again.
        options.setdefault("retry_on_timeout", False)
        options.setdefault("retry", Retry(NoBackoff(), 0))
        super().__init__(server, {**params, "OPTIONS": options})
        self._class = _SharedClientRedisCacheClient
        self.location = ",".join(self._servers)
        self._health = _health_of(self.location)

    def _call(self, fallback, method, *args, **kwargs):
        if self._health.skipping():
            return fallback()
        try:
            result = method(*args, **kwargs)
        except UNAVAILABLE as error:
            self._health.failed(self.location, error)
            return fallback()
        if self._health.succeeded():
            self._recovered()
        return result

    def _recovered(self):
        logger.warning("The cache at %s answers again", self.location)
        self._forget_sessions()
        cache_recovered.send(sender=type(self))

    def status(self):
        """("ok" | "unavailable", a plain-language detail), asking Redis now."""
        try:
            self._cache.get_client(None, write=True).ping()
        except UNAVAILABLE as error:
            self._health.failed(self.location, error)
            return (
                "unavailable",
                "The cache does not answer: pages are served uncached and counters are paused.",
            )
        if self._health.succeeded():
            self._recovered()
        return "ok", ""

    def _forget_sessions(self):
        try:
            client = self._cache.get_client(None, write=True)
            pattern = self.make_key(SESSION_KEY_PREFIX) + "*"
            stale = list(client.scan_iter(match=pattern, count=1000))
            for start in range(0, len(stale), 1000):
                client.delete(*stale[start : start + 1000])
        except UNAVAILABLE as error:
            logger.warning("Could not drop the cached sessions after the cache came back: %s", error)

    # Django's cache API, each call a miss or a no-op while Redis is away.

    def add(self, key, *args, **kwargs):
        return self._call(lambda: False, super().add, key, *args, **kwargs)

    def get(self, key, default=None, version=None):
        return self._call(lambda: default, super().get, key, default, version)

    def set(self, key, *args, **kwargs):
        return self._call(lambda: None, super().set, key, *args, **kwargs)

    def touch(self, key, *args, **kwargs):
        return self._call(lambda: False, super().touch, key, *args, **kwargs)

    def delete(self, key, *args, **kwargs):
        return self._call(lambda: False, super().delete, key, *args, **kwargs)

    def get_many(self, keys, *args, **kwargs):
        return self._call(dict, super().get_many, keys, *args, **kwargs)

    def has_key(self, key, *args, **kwargs):
        return self._call(lambda: False, super().has_key, key, *args, **kwargs)

    def incr(self, key, *args, **kwargs):
        def missing():
            raise ValueError(f"Key '{key}' not found (the cache cannot be reached)")

        return self._call(missing, super().incr, key, *args, **kwargs)

    def set_many(self, data, *args, **kwargs):
        return self._call(lambda: list(data), super().set_many, data, *args, **kwargs)

    def delete_many(self, keys, *args, **kwargs):
        return self._call(lambda: None, super().delete_many, keys, *args, **kwargs)

    def clear(self):
        return self._call(lambda: False, super().clear)
