"""Local development: `make run`. DEBUG on, console e-mail, a fixed local key."""

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = SECRET_KEY or "local-development-only-not-secret"  # noqa: F405
ALLOWED_HOSTS = ALLOWED_HOSTS + ["testserver", "0.0.0.0"]  # noqa: F405
HUB_EXPOSE_CACHE_HEADER = env_bool("HUB_EXPOSE_CACHE_HEADER", DEBUG)
# The demo partners' feeds are files served by `make run` itself.
HUB_OUTBOUND_ALLOWED_HOSTS = HUB_OUTBOUND_ALLOWED_HOSTS or ["127.0.0.1:8000", "localhost:8000"]  # noqa: F405
