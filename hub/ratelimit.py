"""The hub's one rate limiter, and the one client address every limit counts by.

A ``Limit`` counts events (a failed sign-in, an e-mail sent to an address, a
guessed page password) per whatever it is keyed on, in Django's cache, within a
fixed window that starts with the first event. Keys are a salted hash
(``SECRET_KEY``) of what is counted, so the cache holds no e-mail or network
address, and every key expires with its window. When the cache cannot be
reached, limits let requests through (and say so in the log): the hub keeps
serving, without the limit, until the cache is back.

``client_address`` is the address of the person asking: ``REMOTE_ADDR``, unless
the request came through a proxy listed in ``TRUSTED_PROXIES``, in which case
it is the right-most address of ``X-Forwarded-For`` that is not a trusted proxy
(entries further left were written by the client and can be anything).
"""

import functools
import ipaddress
import logging

from django.conf import settings
from django.core.cache import cache
from django.utils.crypto import salted_hmac

logger = logging.getLogger(__name__)

TOO_MANY_MESSAGE = "Too many attempts in a short time. Please wait a while and try again."


def _hashed(name, parts):
    text = "\x1f".join(str(part) for part in parts)
    digest = salted_hmac("hub.ratelimit", f"{name}\x1e{text}", algorithm="sha256").hexdigest()[:32]
    return f"hub:ratelimit:{name}:{digest}"


class Limit:
    """At most ``limit`` events per key within ``window`` seconds."""

    def __init__(self, name, limit, window):
        self.name, self.limit, self.window = name, limit, window

    def key(self, *parts):
        return _hashed(self.name, parts)

    def count(self, *parts):
        try:
            return cache.get(self.key(*parts)) or 0
        except Exception:  # noqa: BLE001 - a cache outage must not stop the hub
            logger.warning("Rate limit %s not checked: the cache is unreachable", self.name, exc_info=True)
            return 0

    def exceeded(self, *parts):
        """True when ``limit`` events have been counted already (nothing counted now)."""
        return self.count(*parts) >= self.limit

    def hit(self, *parts):
        """Count one event; True while the count is still within the limit."""
        key = self.key(*parts)
        try:
            cache.add(key, 0, self.window)
            try:
                count = cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.set(key, 1, self.window)
                count = 1
        except Exception:  # noqa: BLE001 - a cache outage must not stop the hub
            logger.warning("Rate limit %s not counted: the cache is unreachable", self.name, exc_info=True)
            return True
        return count <= self.limit

    def clear(self, *parts):
        try:
            cache.delete(self.key(*parts))
        except Exception:  # noqa: BLE001
            logger.warning("Rate limit %s not cleared: the cache is unreachable", self.name, exc_info=True)


def first_time(name, window, *parts):
    """True the first time ``parts`` is seen within ``window`` seconds, False after.
    (True too when the cache is unreachable.)"""
    try:
        return bool(cache.add(_hashed(name, parts), 1, window))
    except Exception:  # noqa: BLE001
        logger.warning("Repeat check %s skipped: the cache is unreachable", name, exc_info=True)
        return True


# --- the client address --------------------------------------------------------


@functools.lru_cache(maxsize=8)
def _networks(entries):
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            logger.error("TRUSTED_PROXIES: %r is not an address or network; ignored", entry)
    return tuple(networks)


def trusted_proxies():
    return _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))


def _address(value):
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def _is_trusted(address, networks):
    return any(address.version == network.version and address in network for network in networks)


def came_through_trusted_proxy(request):
    """Whether the connection itself comes from one of ``TRUSTED_PROXIES``."""
    networks = trusted_proxies()
    nearest = _address(request.META.get("REMOTE_ADDR", "") or "")
    return bool(networks) and nearest is not None and _is_trusted(nearest, networks)


def client_address(request):
    """The address of the person making ``request``, for rate limits (see above)."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    if not came_through_trusted_proxy(request):
        return remote
    networks = trusted_proxies()
    nearest = _address(remote)
    chain = [entry for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if entry.strip()]
    for entry in reversed(chain):
        address = _address(entry)
        if address is None:
            # Not an address: our proxies would not write that, so trust ends here.
            break
        if not _is_trusted(address, networks):
            return str(address)
        nearest = address
    # Every hop was one of our proxies (or the chain was unreadable): the last one we trust.
    return str(nearest)
