"""compose.yaml and the Dockerfile: the services, their order and health, and
that they agree with each other, with the nginx configuration, the settings
and .env.example (no Docker needed: the files are read as compose reads them)."""

import re
import shlex
from pathlib import Path

import pytest
import yaml
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_TEXT = (ROOT / "compose.yaml").read_text()
COMPOSE = yaml.safe_load(COMPOSE_TEXT)
SERVICES = COMPOSE["services"]
DOCKERFILE = (ROOT / "Dockerfile").read_text()
HUB_IMAGE = SERVICES["web"]["image"]
# The services that run the hub's code (and so use its database).
HUB_SERVICES = sorted(name for name, service in SERVICES.items() if service.get("image") == HUB_IMAGE)


def interpolated(value):
    """A compose value with each ${VAR:-default} given its default, as with an empty .env."""
    return re.sub(r"\$\{[A-Za-z0-9_]+(?::?-([^}]*))?(?::?\?[^}]*)?\}", lambda m: m.group(1) or "", str(value))


def command(service):
    value = SERVICES[service]["command"]
    return value if isinstance(value, list) else shlex.split(value)


def depends_on(service):
    return {name: rule["condition"] for name, rule in SERVICES[service].get("depends_on", {}).items()}


def mounts(service):
    found = {}
    for volume in SERVICES[service].get("volumes", []):
        source, target = interpolated(volume).split(":")[:2]
        found[target] = source
    return found


def documented_variables():
    return {
        line.split("=", 1)[0].lstrip("# ").strip()
        for line in (ROOT / ".env.example").read_text().splitlines()
        if "=" in line
    }


def dockerfile_instructions(name):
    """The arguments of every `name` instruction, continuation lines joined."""
    joined = re.sub(r"\\\n\s*", " ", DOCKERFILE)
    return [line.split(None, 1)[1] for line in joined.splitlines() if line.split(None, 1)[:1] == [name]]


def test_every_service_of_the_deployment_is_there():
    expected = {"migrate", "web", "worker", "scheduler", "postgres", "redis", "opensearch", "proxy"}
    assert expected <= set(SERVICES)
    assert set(HUB_SERVICES) == {"migrate", "web", "worker", "scheduler"}


def test_every_hub_service_is_built_from_the_dockerfile_and_reads_the_env_file():
    for name in HUB_SERVICES:
        service = SERVICES[name]
        assert service["build"]["context"] == "."
        assert service["env_file"] == ".env", name
        assert service["environment"]["DJANGO_SETTINGS_MODULE"] == "hub.settings.production", name
        assert service["init"] is True, name


def test_web_runs_two_replicas_of_gunicorn_with_a_health_check():
    web = SERVICES["web"]
    assert web["deploy"]["replicas"] == 2
    assert command("web")[:3] == ["gunicorn", "--config", "deploy/gunicorn.conf.py"]
    assert (ROOT / "deploy" / "gunicorn.conf.py").exists()
    test = web["healthcheck"]["test"]
    assert test[0] == "CMD" and test[1:] == ["python", "deploy/healthcheck.py"]
    assert "/health/live/" in (ROOT / "deploy" / "healthcheck.py").read_text()
    assert "ports" not in web, "web is reached through the proxy only"


def test_every_service_that_uses_the_database_waits_for_the_migrations():
    for name in HUB_SERVICES:
        if name == "migrate":
            continue
        assert depends_on(name).get("migrate") == "service_completed_successfully", name
    assert depends_on("migrate") == {"postgres": "service_healthy"}
    assert SERVICES["migrate"]["restart"] == "no"
    migrate = " ".join(command("migrate"))
    assert "manage.py migrate --noinput" in migrate


def test_only_web_is_health_checked_among_the_hub_services():
    # The image's HEALTHCHECK asks gunicorn, which only web runs.
    for name in HUB_SERVICES:
        if name != "web":
            assert SERVICES[name]["healthcheck"] == {"disable": True}, name
    assert dockerfile_instructions("HEALTHCHECK")


def test_the_proxy_starts_once_web_is_healthy_and_publishes_http_and_https():
    assert depends_on("proxy") == {"web": "service_healthy"}
    published = {interpolated(port).split(":")[-1] for port in SERVICES["proxy"]["ports"]}
    assert published == {"80", "443"}


@pytest.mark.parametrize("service", ["postgres", "redis", "opensearch"])
def test_the_backing_services_have_health_checks(service):
    healthcheck = SERVICES[service]["healthcheck"]
    assert "disable" not in healthcheck
    test = " ".join(healthcheck["test"])
    assert {"postgres": "pg_isready", "redis": "redis-cli ping", "opensearch": "_cluster/health"}[
        service
    ] in test


def test_opensearch_is_one_node_with_a_bounded_memory():
    opensearch = SERVICES["opensearch"]
    assert opensearch["image"].startswith("opensearchproject/opensearch:3")
    environment = opensearch["environment"]
    assert environment["discovery.type"] == "single-node"
    heap = re.findall(r"-Xm[sx](\S+)", interpolated(environment["OPENSEARCH_JAVA_OPTS"]))
    assert len(heap) == 2 and heap[0] == heap[1]
    assert interpolated(opensearch["deploy"]["resources"]["limits"]["memory"])
    assert "ports" not in opensearch, "the node is reachable from the compose network only"


def test_a_worker_runs_for_every_task_backend_kept_in_the_database():
    queued = [
        alias for alias, backend in settings.TASKS.items() if backend["BACKEND"].startswith("django_tasks_db")
    ]
    assert queued == ["mail"]
    workers = [command(name) for name in HUB_SERVICES if "db_worker" in command(name)]
    for alias in queued:
        assert ["python", "manage.py", "db_worker", "--backend", alias, "--no-reload"] in workers


def test_the_scheduler_runs_the_hubs_scheduler_command():
    assert command("scheduler") == ["python", "manage.py", "run_scheduler"]
    assert (ROOT / "hub" / "management" / "commands" / "run_scheduler.py").exists()


def test_static_files_and_media_reach_nginx_where_its_configuration_looks():
    hub_conf = (ROOT / "deploy" / "nginx" / "hub.conf").read_text()
    static_root = re.search(r"set \$hub_static_root (\S+);", hub_conf).group(1)
    media_root = re.search(r"set \$hub_media_root (\S+);", hub_conf).group(1)
    proxy = mounts("proxy")
    # The migrate service copies the image's collected files to the volume nginx serves.
    image_static_root = re.search(r"STATIC_ROOT=(\S+)", " ".join(dockerfile_instructions("ENV"))).group(1)
    assert SERVICES["web"]["environment"]["STATIC_ROOT"] == image_static_root
    assert f"cp -R {image_static_root}/. {static_root}/" in " ".join(command("migrate"))
    assert mounts("migrate")[static_root] == proxy[static_root]
    # Uploads written by web are read by nginx from the same volume.
    media_target = SERVICES["web"]["environment"]["MEDIA_ROOT"]
    assert media_target == media_root
    assert mounts("web")[media_target] == proxy[media_root]
    assert f"{proxy[static_root]}:{static_root}:ro" in SERVICES["proxy"]["volumes"]


def test_the_proxy_mounts_the_nginx_configuration_and_the_certificates():
    proxy = mounts("proxy")
    assert proxy["/etc/nginx/conf.d/default.conf"] == "./deploy/nginx/hub.conf"
    assert proxy["/etc/nginx/hub"] == "./deploy/nginx"
    assert (ROOT / "deploy" / "nginx" / "hub-locations.conf").exists()
    assert "/etc/nginx/certs" in proxy


def test_the_hub_trusts_forwarded_headers_from_the_compose_network_only():
    subnet = interpolated(COMPOSE["networks"]["default"]["ipam"]["config"][0]["subnet"])
    trusted = interpolated(SERVICES["web"]["environment"]["TRUSTED_PROXIES"]).split(",")
    assert sorted(trusted) == sorted(["127.0.0.1", subnet])


def test_the_compose_settings_are_variables_the_hub_reads():
    # A misspelt name here would be silently ignored by the hub.
    documented = documented_variables()
    for name in HUB_SERVICES:
        assert set(SERVICES[name]["environment"]) - {"DJANGO_SETTINGS_MODULE"} <= documented, name


def test_every_variable_compose_and_the_settings_read_is_documented_in_env_example():
    documented = documented_variables()
    compose_variables = set(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)", COMPOSE_TEXT))
    assert {"POSTGRES_PASSWORD", "HUB_SUBNET", "TLS_CERT_DIR"} <= compose_variables
    settings_variables = set()
    for path in (ROOT / "hub" / "settings").glob("*.py"):
        settings_variables |= set(
            re.findall(
                r'(?:os\.environ\.get\(|os\.environ\[|env_bool\(|env_list\()"([A-Z0-9_]+)"', path.read_text()
            )
        )
    assert "AWS_STORAGE_BUCKET_NAME" in settings_variables
    missing = (compose_variables | settings_variables) - documented - {"DJANGO_SETTINGS_MODULE"}
    assert not missing, f"not in .env.example: {sorted(missing)}"


def test_the_image_is_python_313_slim_and_runs_as_a_user_of_its_own():
    assert dockerfile_instructions("FROM")[-1].split()[0] == "python:3.13-slim"
    users = dockerfile_instructions("USER")
    assert users and users[-1] not in {"root", "0", "0:0"}
    lines = DOCKERFILE.splitlines()
    user_line = max(i for i, line in enumerate(lines) if line.startswith("USER "))
    cmd_line = max(i for i, line in enumerate(lines) if line.startswith("CMD "))
    assert user_line < cmd_line
    assert re.search(r"useradd [^\n]*--uid \"\$\{HUB_UID\}\"", DOCKERFILE)


def test_the_image_installs_the_pinned_requirements_and_collects_static_files():
    runs = dockerfile_instructions("RUN")
    assert any("pip install" in run and "-r requirements.txt" in run for run in runs)
    collect = next(run for run in runs if "collectstatic" in run)
    assert "--noinput" in collect
    # The production settings need a SECRET_KEY of 50+ characters: a throwaway one,
    # made in that step only, never an ENV or ARG that stays in the image.
    assert "SECRET_KEY=" in collect and "secrets.token_urlsafe(48)" in collect
    assert not any(
        "SECRET_KEY" in line for line in dockerfile_instructions("ENV") + dockerfile_instructions("ARG")
    )


def test_the_image_starts_gunicorn_and_checks_its_liveness():
    assert dockerfile_instructions("CMD") == [
        '["gunicorn", "--config", "deploy/gunicorn.conf.py", "hub.wsgi"]'
    ]
    healthcheck = dockerfile_instructions("HEALTHCHECK")[0]
    assert 'CMD ["python", "deploy/healthcheck.py"]' in healthcheck
    assert "curl" not in healthcheck


def test_the_build_context_leaves_out_secrets_and_local_environments():
    ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()}
    assert {".env", ".git", ".venv", "node_modules", "*.sqlite3", "/media"} <= ignored
