"""Local development: `make run`. DEBUG on, console e-mail, a fixed local key."""

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = SECRET_KEY or "local-development-only-not-secret"  # noqa: F405
ALLOWED_HOSTS = ALLOWED_HOSTS + ["testserver", "0.0.0.0"]  # noqa: F405
