# syntax=docker/dockerfile:1
# The hub's image. One image runs every part of the hub (compose.yaml): the web
# server (gunicorn, the default command), the mail worker, the scheduler and
# the migrations. Settings come from the environment (.env.example); the
# production settings are the default here.
FROM python:3.13-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=hub.settings.production \
    STATIC_ROOT=/app/staticfiles \
    MEDIA_ROOT=/srv/hub/media

# The hub runs as this user, never as root. A fixed id, so files it writes to
# volumes (MEDIA_ROOT) keep one owner across rebuilds.
ARG HUB_UID=10001
RUN groupadd --system --gid "${HUB_UID}" hub \
    && useradd --system --uid "${HUB_UID}" --gid hub --home-dir /app --no-create-home --shell /usr/sbin/nologin hub

WORKDIR /app

# Requirements first, so a change to the code alone reuses this layer. Every
# package is pinned, indirect ones too (requirements.txt).
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt

COPY --chown=root:root . .

# Static files are collected into the image (STATIC_ROOT), with the manifest of
# hashed names production needs. The production settings refuse to load without
# a SECRET_KEY of 50 characters or more: this step gets a random one of its own,
# made in the step and gone with it (never in the image or its history).
RUN SECRET_KEY="collectstatic-only-$(python -c 'import secrets; print(secrets.token_urlsafe(48))')" \
    DATABASE_URL="sqlite:////tmp/collectstatic.sqlite3" \
    python manage.py collectstatic --noinput --verbosity 0 \
    && rm -f /tmp/collectstatic.sqlite3

# Where the volumes go (compose.yaml): uploaded media, and the copy of the
# static files the proxy serves. Owned by the hub's user, which a new volume
# mounted here takes on.
RUN mkdir -p /srv/hub/media /srv/hub/static && chown hub:hub /srv/hub/media /srv/hub/static

USER hub
EXPOSE 8000

# Alive when gunicorn answers /health/live/ ("ok", without touching the
# database); see deploy/healthcheck.py for the host name and HTTPS header it sends.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "deploy/healthcheck.py"]

CMD ["gunicorn", "--config", "deploy/gunicorn.conf.py", "hub.wsgi"]
