"""Settings come from the environment; production refuses unsafe configuration."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "hub.settings.production",
    "SECRET_KEY": "x" * 20 + "a-long-random-production-secret-value-0123456789",
    "ALLOWED_HOSTS": "hub.example.org",
    "DATABASE_URL": "sqlite:////tmp/hub-settings-check.sqlite3",
    "EMAIL_HOST": "smtp.example.org",
}


def run_python(code, env_overrides):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "ELASTICSEARCH_URL", "OPENSEARCH_URL", "REDIS_URL"}
    }
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def setting(name, **env):
    env.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings.dev")
    result = run_python(f"from django.conf import settings; print(settings.{name})", env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_production_refuses_to_start_without_a_secret_key():
    env = dict(PRODUCTION_ENV, SECRET_KEY="")
    result = run_python("import django; django.setup()", env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_check_deploy_prints_no_warnings_with_production_variables():
    env = dict(PRODUCTION_ENV)
    code = (
        "import sys; from django.core.management import execute_from_command_line; "
        "execute_from_command_line(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])"
    )
    result = run_python(code, env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_database_defaults_to_an_sqlite_file_in_the_project():
    engine = setting("DATABASES['default']['ENGINE']")
    name = setting("DATABASES['default']['NAME']")
    assert engine == "django.db.backends.sqlite3"
    assert name == str(ROOT / "db.sqlite3")


def test_database_url_selects_postgresql():
    engine = setting("DATABASES['default']['ENGINE']", DATABASE_URL="postgres://u@127.0.0.1:5432/hub")
    assert engine == "django.db.backends.postgresql"


def test_search_uses_the_database_backend_unless_a_search_engine_url_is_set():
    assert setting("WAGTAILSEARCH_BACKENDS['default']['BACKEND']") == "wagtail.search.backends.database"
    backend = setting(
        "WAGTAILSEARCH_BACKENDS['default']['BACKEND']", ELASTICSEARCH_URL="http://127.0.0.1:9200"
    )
    assert backend == "search.elasticsearch.HubElasticsearch9SearchBackend"


def test_opensearch_url_selects_the_hubs_opensearch_backend_with_the_database_as_fallback():
    env = {"OPENSEARCH_URL": "http://127.0.0.1:9201", "OPENSEARCH_INDEX_PREFIX": "cop_"}
    assert setting("WAGTAILSEARCH_BACKENDS['default']['BACKEND']", **env) == (
        "search.opensearch.HubOpenSearchSearchBackend"
    )
    assert setting("WAGTAILSEARCH_BACKENDS['default']['URLS']", **env) == "['http://127.0.0.1:9201']"
    assert setting("WAGTAILSEARCH_BACKENDS['default']['INDEX_PREFIX']", **env) == "cop_"
    assert (
        setting("WAGTAILSEARCH_BACKENDS['fallback']['BACKEND']", **env) == "wagtail.search.backends.database"
    )


def test_setting_both_search_engine_urls_is_refused():
    env = {
        "DJANGO_SETTINGS_MODULE": "hub.settings.dev",
        "OPENSEARCH_URL": "http://127.0.0.1:9201",
        "ELASTICSEARCH_URL": "http://127.0.0.1:9200",
    }
    result = run_python("from django.conf import settings; settings.WAGTAILSEARCH_BACKENDS", env)
    assert result.returncode != 0
    assert "Set OPENSEARCH_URL or ELASTICSEARCH_URL, not both" in result.stderr


@pytest.mark.parametrize(
    ("env", "backend"),
    [
        ({}, "django.core.cache.backends.locmem.LocMemCache"),
        ({"REDIS_URL": "redis://127.0.0.1:6379/1"}, "hub.cache_backend.ResilientRedisCache"),
        ({"CACHE_URL": "redis://127.0.0.1:6379/2"}, "hub.cache_backend.ResilientRedisCache"),
    ],
)
def test_cache_is_redis_when_configured_and_local_memory_otherwise(env, backend):
    assert setting("CACHES['default']['BACKEND']", **env) == backend


def test_email_is_queued_and_sent_through_the_smtp_mailer_when_a_host_is_configured():
    assert setting("MAILERS['default']['BACKEND']") == "hub.mail.QueuedEmailBackend"
    assert setting("TASKS['mail']['BACKEND']") == "django_tasks_db.DatabaseBackend"
    backend = setting("MAILERS['outgoing']['BACKEND']", EMAIL_HOST="smtp.example.org")
    host = setting("MAILERS['outgoing']['OPTIONS']['host']", EMAIL_HOST="smtp.example.org")
    assert backend == "hub.mail.SMTPEmailBackend"
    assert host == "smtp.example.org"
    assert setting("MAILERS['outgoing']['BACKEND']") == "django.core.mail.backends.console.EmailBackend"


def test_env_example_documents_every_variable_the_settings_and_the_deployment_read():
    documented = {
        line.split("=", 1)[0].lstrip("# ").strip()
        for line in (ROOT / ".env.example").read_text().splitlines()
        if "=" in line
    }
    sources = {
        "settings": (list((ROOT / "hub" / "settings").glob("*.py")), ("env_bool(", "env_list(")),
        # gunicorn's settings and the containers' health check (deploy/).
        "deploy": ([ROOT / "deploy" / "gunicorn.conf.py", ROOT / "deploy" / "healthcheck.py"], ("env_int(",)),
    }
    read = {}
    for name, (paths, helpers) in sources.items():
        for path in paths:
            text = path.read_text()
            for marker in ("os.environ.get(", "os.environ[", *helpers):
                for chunk in text.split(marker + '"')[1:]:
                    read.setdefault(chunk.split('"', 1)[0], name)
    # compose.yaml: ${VAR}, ${VAR:-default} and ${VAR:?message}.
    for variable in re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)", (ROOT / "compose.yaml").read_text()):
        read.setdefault(variable, "compose.yaml")
    read.pop("DJANGO_SETTINGS_MODULE", None)
    assert {"settings", "deploy", "compose.yaml"} <= set(read.values()), "a source read no variables"
    undocumented = {variable: source for variable, source in read.items() if variable not in documented}
    assert not undocumented, f"undocumented in .env.example: {undocumented}"


def test_production_trusts_x_forwarded_proto_only_behind_a_configured_proxy():
    assert setting("SECURE_PROXY_SSL_HEADER", **PRODUCTION_ENV) == "None"
    behind_proxy = dict(PRODUCTION_ENV, TRUSTED_PROXIES="127.0.0.1")
    assert setting("SECURE_PROXY_SSL_HEADER", **behind_proxy) == "('HTTP_X_FORWARDED_PROTO', 'https')"


def test_passwords_must_be_at_least_twelve_characters():
    code = (
        "import django; django.setup(); "
        "from django.contrib.auth.password_validation import validate_password, ValidationError\n"
        "try:\n    validate_password('riverstone7')\nexcept ValidationError as e:\n    print(e.messages)\n"
        "validate_password('river stones 42'); print('ok')"
    )
    result = run_python(code, {"DJANGO_SETTINGS_MODULE": "hub.settings.dev"})
    assert result.returncode == 0, result.stderr
    assert "at least 12 characters" in result.stdout and result.stdout.strip().endswith("ok")
