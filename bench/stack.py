#!/usr/bin/env python
"""The hub's production stack on this machine, without containers.

What compose.yaml starts, started here as plain processes, each service the
stack's own so that the fault bench can stop and break them without touching
the machine's shared services:

- PostgreSQL: a cluster of the stack's own (``initdb`` in the stack's folder,
  its own port), so it can be restarted;
- Redis, the stack's own ``redis-server`` on its own port;
- OpenSearch: a node from ../shared/tools/opensearch (or ``--opensearch-url`` to
  use a running one with an index prefix of the stack's own);
- a mail server (bench/mail_server.py) that can be told to refuse;
- two gunicorn instances of the hub (deploy/gunicorn.conf.py) on two ports;
- nginx in front of both with TLS (a certificate made for 127.0.0.1), using the
  proxy rules compose uses (deploy/nginx/hub-locations.conf);
- the task worker (``db_worker``) and the scheduler (``run_scheduler``).

    bench/stack.py up DIR [--restore DUMP | --demo]   # prints the proxy's address
    bench/stack.py ctl DIR stop-web 1                 # and the other controls below
    bench/stack.py down DIR

DIR keeps everything: data, logs (DIR/logs), the state (DIR/stack.json). The
stack is also a Python object (``Stack``) for the slow tests and the load and
fault benches.
"""

import argparse
import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
PG_BIN = Path(os.environ.get("PG_BIN", "")) if os.environ.get("PG_BIN") else None
SHARED_OPENSEARCH = [
    Path(os.environ["OPENSEARCH_TOOLS"]) if os.environ.get("OPENSEARCH_TOOLS") else None,
    ROOT.parent / "shared" / "tools" / "opensearch",
    Path("/work/shared/tools/opensearch"),
]
WEB_INSTANCES = (1, 2)
CONTROLS = (
    "status",
    "stop-web",
    "start-web",
    "restart-worker",
    "stop-worker",
    "start-worker",
    "stop-redis",
    "start-redis",
    "stop-search",
    "start-search",
    "restart-postgres",
    "stop-postgres",
    "start-postgres",
    "restart-scheduler",
    "mail",
)


def free_port(pair_offset=None):
    """A free loopback port (and, with ``pair_offset``, one whose port + offset is free too)."""
    while True:
        with socket.socket() as first:
            first.bind(("127.0.0.1", 0))
            port = first.getsockname()[1]
            if pair_offset is None:
                return port
            if port + pair_offset >= 65536:
                continue
            with socket.socket() as second:
                try:
                    second.bind(("127.0.0.1", port + pair_offset))
                except OSError:
                    continue
            return port


def pg_bin():
    if PG_BIN:
        return PG_BIN
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name)
    )
    if not versions:
        sys.exit("No PostgreSQL server binaries under /usr/lib/postgresql (set PG_BIN)")
    return versions[-1].parent


def opensearch_tools():
    for candidate in SHARED_OPENSEARCH:
        if candidate and (candidate / "start.sh").exists():
            return candidate
    sys.exit("The OpenSearch tool (shared/tools/opensearch) was not found (set OPENSEARCH_TOOLS)")


def answers(port, timeout=0.5):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout):
            return True
    except OSError:
        return False


def wait_for(what, check, timeout=60.0, proc=None, log=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            tail = log.read_text()[-3000:] if log and log.exists() else ""
            raise RuntimeError(f"{what} exited with {proc.returncode}:\n{tail}")
        if check():
            return
        time.sleep(0.2)
    tail = log.read_text()[-3000:] if log and log.exists() else ""
    raise RuntimeError(f"{what} did not come up within {timeout:.0f} s\n{tail}")


def pid_alive(pid):
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    # A zombie (exited, not yet reaped) is not alive.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except (OSError, IndexError):
        return True


def stop_pid(pid, sig=signal.SIGTERM, timeout=20.0):
    """Signal a process (and its process group, which it leads) and wait until it is gone."""
    if not pid_alive(pid):
        return
    try:
        os.killpg(pid, sig)
    except OSError:
        try:
            os.kill(pid, sig)
        except OSError:
            return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not pid_alive(pid):
            return
        time.sleep(0.1)
    try:
        os.killpg(pid, signal.SIGKILL)
    except OSError:
        pass


class Stack:
    """The stack in ``folder``; its state (ports, pids, secrets) in folder/stack.json."""

    def __init__(self, folder):
        self.dir = Path(folder).resolve()
        self.logs = self.dir / "logs"
        self.state_file = self.dir / "stack.json"
        self.state = json.loads(self.state_file.read_text()) if self.state_file.exists() else {}

    # --- state ---------------------------------------------------------------
    def save(self):
        self.state_file.write_text(json.dumps(self.state, indent=2))

    @property
    def url(self):
        return f"https://127.0.0.1:{self.state['ports']['proxy']}"

    @property
    def certificate(self):
        """The proxy's certificate (made for 127.0.0.1): clients verify against it."""
        return str(self.dir / "tls" / "cert.pem")

    def web_url(self, instance):
        return f"http://127.0.0.1:{self.state['ports'][f'web{instance}']}"

    def env(self):
        """The environment every hub process of the stack gets (as compose's .env would)."""
        ports = self.state["ports"]
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "OPENSEARCH", "ELASTIC"))}
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "hub.settings.production",
                "SECRET_KEY": self.state["secret_key"],
                "DATABASE_URL": f"postgres://postgres@127.0.0.1:{ports['postgres']}/hub",
                "DB_CONN_MAX_AGE": "60",
                "REDIS_URL": f"redis://127.0.0.1:{ports['redis']}/0",
                "OPENSEARCH_URL": self.state["opensearch_url"],
                "OPENSEARCH_INDEX_PREFIX": self.state["index_prefix"],
                "EMAIL_HOST": "127.0.0.1",
                "EMAIL_PORT": str(ports["mail"]),
                "EMAIL_USE_TLS": "0",
                "EMAIL_TIMEOUT": "5",
                "ALLOWED_HOSTS": "127.0.0.1,localhost",
                "CSRF_TRUSTED_ORIGINS": f"https://127.0.0.1:{ports['proxy']}",
                "TRUSTED_PROXIES": "127.0.0.1",
                "SECURE_SSL_REDIRECT": "0",
                "STATIC_ROOT": str(self.dir / "static"),
                "MEDIA_ROOT": str(self.dir / "media"),
                "WAGTAILADMIN_BASE_URL": f"https://127.0.0.1:{ports['proxy']}",
                "HUB_EXPOSE_CACHE_HEADER": "1",
                "LOG_LEVEL": "WARNING",
                "PYTHONUNBUFFERED": "1",
            }
        )
        env.update(self.state.get("extra_env", {}))
        return env

    def manage(self, *args, check=True, capture=True, timeout=None):
        result = subprocess.run(
            [PY, "manage.py", *args],
            cwd=ROOT,
            env=self.env(),
            capture_output=capture,
            text=True,
            timeout=timeout,
        )
        if check and result.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result

    def python(self, code, *args, check=True):
        """Run ``code`` in a child process with the hub's settings (django set up)."""
        prelude = "import django\ndjango.setup()\n"
        result = subprocess.run(
            [PY, "-c", prelude + code, *args], cwd=ROOT, env=self.env(), capture_output=True, text=True
        )
        if check and result.returncode != 0:
            raise RuntimeError(f"stack python failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def spawn(self, name, cmd, env=None, cwd=ROOT):
        log = self.logs / f"{name}.log"
        with open(log, "a") as out:
            proc = subprocess.Popen(
                cmd,
                cwd=cwd,
                env=env or self.env(),
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.state.setdefault("pids", {})[name] = proc.pid
        self.save()
        return proc, log

    def pid(self, name):
        return self.state.get("pids", {}).get(name)

    # --- PostgreSQL ----------------------------------------------------------
    def _as_postgres(self, cmd):
        """initdb and pg_ctl refuse to run as root: run them as the postgres user then."""
        if os.geteuid() == 0:
            return ["runuser", "-u", "postgres", "--", *cmd]
        return cmd

    def _pg_ctl(self, *args):
        data = self.dir / "postgres"
        cmd = [str(pg_bin() / "pg_ctl"), "-D", str(data), "-l", str(self.logs / "postgres.log")]
        if "start" in args:
            port = self.state["ports"]["postgres"]
            cmd += ["-o", f"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c max_connections=200"]
        return subprocess.run(self._as_postgres([*cmd, *args]), capture_output=True, text=True)

    def init_postgres(self):
        data = self.dir / "postgres"
        data.mkdir()
        if os.geteuid() == 0:
            # The postgres user must reach its folder (mkdtemp makes 0700 folders).
            os.chmod(self.dir, 0o755)
            postgres = pwd.getpwnam("postgres")
            for path in (data, self.logs):
                os.chown(path, postgres.pw_uid, postgres.pw_gid)
            (self.logs / "postgres.log").touch()
            os.chown(self.logs / "postgres.log", postgres.pw_uid, postgres.pw_gid)
        subprocess.run(
            self._as_postgres(
                [str(pg_bin() / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"]
            ),
            check=True,
            capture_output=True,
        )
        self.start_postgres()

    def start_postgres(self):
        result = self._pg_ctl("-w", "start")
        if result.returncode != 0:
            raise RuntimeError(f"PostgreSQL did not start:\n{result.stdout}{result.stderr}")

    def stop_postgres(self, mode="fast"):
        self._pg_ctl("-w", "-m", mode, "stop")

    def psql(self, sql, database="postgres"):
        port = self.state["ports"]["postgres"]
        subprocess.run(
            ["psql", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-d", database,
             "-v", "ON_ERROR_STOP=1", "-qc", sql],
            check=True, capture_output=True,
        )  # fmt: skip

    # --- the other services --------------------------------------------------
    def start_redis(self):
        port = self.state["ports"]["redis"]
        proc, log = self.spawn(
            "redis",
            ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.dir)],
        )  # fmt: skip
        wait_for("Redis", lambda: answers(port), 20, proc, log)

    def start_search(self):
        if self.state.get("own_opensearch"):
            tools = opensearch_tools()
            env = {**os.environ, "OS_WAIT_S": "180"}
            subprocess.run(
                [str(tools / "start.sh"), str(self.dir / "opensearch"),
                 str(self.state["ports"]["opensearch"]), self.state.get("opensearch_heap", "512m")],
                check=True, capture_output=True, env=env,
            )  # fmt: skip

    def stop_search(self):
        if self.state.get("own_opensearch"):
            subprocess.run(
                [str(opensearch_tools() / "stop.sh"), str(self.dir / "opensearch")], capture_output=True
            )

    def start_mail(self):
        port = self.state["ports"]["mail"]
        proc, log = self.spawn(
            "mail",
            [PY, str(ROOT / "bench" / "mail_server.py"), "--port", str(port), "--control",
             str(self.dir / "mail.mode"), "--status", str(self.dir / "mail.json")],
        )  # fmt: skip
        wait_for("the mail server", lambda: answers(port), 30, proc, log)

    def set_mail_mode(self, mode):
        (self.dir / "mail.mode").write_text(mode + "\n")

    def mail_status(self):
        path = self.dir / "mail.json"
        return json.loads(path.read_text()) if path.exists() else {"messages": 0, "per_recipient": {}}

    def start_web(self, instance):
        port = self.state["ports"][f"web{instance}"]
        env = {
            **self.env(),
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "WEB_CONCURRENCY": str(self.state["web_workers"]),
        }
        proc, log = self.spawn(
            f"web{instance}",
            [PY, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py"), "hub.wsgi:application"],
            env=env,
        )

        def live():
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/live/", timeout=2) as response:
                    return response.status == 200
            except OSError:
                return False

        wait_for(f"web instance {instance}", live, 60, proc, log)

    def stop_web(self, instance):
        stop_pid(self.pid(f"web{instance}"))

    def stop_web_hard(self, instance):
        """As in a crash: SIGKILL to the instance's arbiter and workers, nothing finishes."""
        stop_pid(self.pid(f"web{instance}"), sig=signal.SIGKILL)

    def start_worker(self):
        # Under a supervisor, as compose's restart policy keeps it in production:
        # the worker exits when the database goes away, and is started again.
        worker = [PY, "manage.py", "db_worker", "--backend", "mail", "--no-reload"]
        self.spawn("worker", [PY, str(ROOT / "bench" / "supervise.py"), "--", *worker])

    def stop_worker(self):
        # SIGTERM: db_worker finishes the task in hand, then exits.
        stop_pid(self.pid("worker"), timeout=60)

    def start_scheduler(self):
        # The stack lives on loopback: the jobs that fetch other servers (partner
        # feeds, the link checker) are left out, and so is the nightly index
        # rebuild, which a fresh scheduler would start at once in the middle of
        # a load run (the stack has just built the index).
        skipped = ["check_links", "fetch_partner_feeds", "update_index"]
        self.spawn("scheduler", [PY, "manage.py", "run_scheduler", "--skip", *skipped])

    def write_proxy_config(self):
        ports = self.state["ports"]
        nginx = self.dir / "nginx"
        (nginx / "tmp").mkdir(parents=True, exist_ok=True)
        tls = self.dir / "tls"
        if not (tls / "cert.pem").exists():
            tls.mkdir(exist_ok=True)
            subprocess.run(
                ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30",
                 "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                 "-keyout", str(tls / "key.pem"), "-out", str(tls / "cert.pem")],
                check=True, capture_output=True,
            )  # fmt: skip
        user = pwd.getpwuid(os.geteuid()).pw_name
        servers = "\n".join(
            f"    server 127.0.0.1:{ports[f'web{n}']} max_fails=1 fail_timeout=5s;" for n in WEB_INSTANCES
        )
        (nginx / "nginx.conf").write_text(
            f"""# Written by bench/stack.py: the proxy of the two-instance stack.
user {user};
worker_processes 1;
pid {nginx}/nginx.pid;
error_log {self.logs}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log {self.logs}/nginx-access.log;
  client_body_temp_path {nginx}/tmp/body;
  proxy_temp_path {nginx}/tmp/proxy;
  fastcgi_temp_path {nginx}/tmp/fastcgi;
  uwsgi_temp_path {nginx}/tmp/uwsgi;
  scgi_temp_path {nginx}/tmp/scgi;
  sendfile on;
  upstream hub {{
{servers}
    keepalive 32;
  }}
  server {{
    listen 127.0.0.1:{ports["proxy"]} ssl http2;
    server_name 127.0.0.1 localhost;
    ssl_certificate {tls}/cert.pem;
    ssl_certificate_key {tls}/key.pem;
    set $hub_static_root {self.dir / "static"};
    set $hub_media_root {self.dir / "media"};
    include {ROOT}/deploy/nginx/hub-locations.conf;
  }}
}}
"""
        )

    def start_proxy(self):
        self.write_proxy_config()
        nginx = self.dir / "nginx"
        proc, log = self.spawn(
            "proxy", ["nginx", "-p", str(nginx), "-c", str(nginx / "nginx.conf"), "-g", "daemon off;"]
        )
        wait_for("nginx", lambda: answers(self.state["ports"]["proxy"]), 20, proc, log)

    # --- the whole stack -----------------------------------------------------
    def up(self, restore=None, demo=True, opensearch_url=None, web_workers=4, extra_env=None):
        if self.state_file.exists():
            raise RuntimeError(f"{self.dir} already holds a stack: bench/stack.py down {self.dir} first")
        self.dir.mkdir(parents=True, exist_ok=True)
        self.logs.mkdir(exist_ok=True)
        self.state = {
            "secret_key": secrets.token_urlsafe(64),
            "index_prefix": f"stack{secrets.token_hex(3)}_",
            "web_workers": web_workers,
            "own_opensearch": not opensearch_url,
            "extra_env": extra_env or {},
            "ports": {name: free_port() for name in ("postgres", "redis", "mail", "web1", "web2", "proxy")},
        }
        if opensearch_url:
            self.state["opensearch_url"] = opensearch_url
        else:
            self.state["ports"]["opensearch"] = free_port(pair_offset=100)
            self.state["opensearch_url"] = f"http://127.0.0.1:{self.state['ports']['opensearch']}"
        self.save()
        started = time.monotonic()
        self.init_postgres()
        self.psql("CREATE DATABASE hub")
        if restore:
            port = self.state["ports"]["postgres"]
            subprocess.run(
                ["pg_restore", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-d", "hub",
                 "--no-owner", "-j", "2", str(restore)],
                check=True, capture_output=True,
            )  # fmt: skip
        self.start_redis()
        self.start_search()
        self.start_mail()
        self.manage("migrate", "--noinput", "-v0")
        if demo and not restore:
            self.manage("load_demo_content", "--allow-production")  # a throwaway stack on loopback
        self.manage("collectstatic", "--noinput", "-v0")
        self.manage("update_index", "-v0")
        for instance in WEB_INSTANCES:
            self.start_web(instance)
        self.start_worker()
        self.start_scheduler()
        self.start_proxy()
        self.state["started_in_s"] = round(time.monotonic() - started, 1)
        self.save()
        return self

    def down(self):
        for name in ("proxy", "scheduler", "worker", "web1", "web2", "mail", "redis"):
            stop_pid(self.pid(name), timeout=15)
        self.stop_search()
        if (self.dir / "postgres" / "postmaster.pid").exists():
            self.stop_postgres("immediate")
        if self.state_file.exists():
            self.state_file.unlink()

    def processes(self):
        """Each running process of the stack (gunicorn workers and nginx workers included) by name."""
        found = {}
        roots = {name: pid for name, pid in self.state.get("pids", {}).items() if pid_alive(pid)}
        for name, pid in roots.items():
            found[name] = [pid, *children(pid)]
        pg_pid = self.dir / "postgres" / "postmaster.pid"
        if pg_pid.exists():
            pid = int(pg_pid.read_text().split()[0])
            found["postgres"] = [pid, *children(pid)]
        os_pid = self.dir / "opensearch" / "opensearch.pid"
        if self.state.get("own_opensearch") and os_pid.exists():
            pid = int(os_pid.read_text().split()[0])
            if pid_alive(pid):
                found["opensearch"] = [pid]
        return found

    def control(self, action, argument=None):
        if action == "status":
            return {name: len(pids) for name, pids in self.processes().items()}
        if action in ("stop-web", "start-web"):
            instance = int(argument or 1)
            (self.stop_web if action == "stop-web" else self.start_web)(instance)
        elif action == "restart-worker":
            self.stop_worker()
            self.start_worker()
        elif action == "stop-worker":
            self.stop_worker()
        elif action == "start-worker":
            self.start_worker()
        elif action == "restart-scheduler":
            stop_pid(self.pid("scheduler"), timeout=60)
            self.start_scheduler()
        elif action == "stop-redis":
            stop_pid(self.pid("redis"))
        elif action == "start-redis":
            self.start_redis()
        elif action == "stop-search":
            self.stop_search()
        elif action == "start-search":
            self.start_search()
        elif action == "restart-postgres":
            self.stop_postgres("fast")
            time.sleep(float(argument or 0))
            self.start_postgres()
        elif action == "stop-postgres":
            self.stop_postgres("fast")
        elif action == "start-postgres":
            self.start_postgres()
        elif action == "mail":
            self.set_mail_mode(argument or "accept")
        else:
            raise ValueError(action)
        self.save()
        return None


def children(pid):
    """Every descendant of ``pid`` (Linux /proc)."""
    parents = {}
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            for line in status.read_text().splitlines():
                if line.startswith("PPid:"):
                    parents.setdefault(int(line.split()[1]), []).append(int(status.parent.name))
                    break
        except OSError:
            continue
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    up = commands.add_parser("up", help="start the stack in DIR")
    up.add_argument("dir")
    up.add_argument("--restore", help="a pg_dump -Fc file to start from (else the demo content)")
    up.add_argument("--opensearch-url", help="use this OpenSearch node instead of starting one")
    up.add_argument("--web-workers", type=int, default=4, help="gunicorn workers per instance (default 4)")
    down = commands.add_parser("down", help="stop the stack in DIR")
    down.add_argument("dir")
    down.add_argument("--remove", action="store_true", help="also delete DIR")
    ctl = commands.add_parser("ctl", help="control one service")
    ctl.add_argument("dir")
    ctl.add_argument("action", choices=CONTROLS)
    ctl.add_argument("argument", nargs="?")
    args = parser.parse_args()

    stack = Stack(args.dir)
    if args.command == "up":
        try:
            stack.up(restore=args.restore, opensearch_url=args.opensearch_url, web_workers=args.web_workers)
        except BaseException:
            stack.down()
            raise
        print(f"The stack is up in {stack.state['started_in_s']} s: {stack.url}/ (logs in {stack.logs})")
    elif args.command == "down":
        stack.down()
        if args.remove:
            shutil.rmtree(stack.dir, ignore_errors=True)
    else:
        result = stack.control(args.action, args.argument)
        if result is not None:
            print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
