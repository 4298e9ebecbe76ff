"""gunicorn settings for the hub, read from the environment.

The same file serves the container image (Dockerfile, compose.yaml) and a
server without containers (bench/stack.sh, a systemd unit): everything that
differs between them is an environment variable, documented in .env.example.

    gunicorn --config deploy/gunicorn.conf.py hub.wsgi

Worker model: sync workers (one request at a time per process) by default.
The hub always runs behind nginx, which reads each request body in full
before passing it on and buffers each response, so a slow client never holds
a worker, which is the case sync workers need. The hub's pages are
database and CPU work whose outside calls are short and bounded (Redis 0.5 s,
the search engine 5 s with one retry, e-mail never: it is queued), so threads
would add little but lock contention and one more database connection per
thread. GUNICORN_THREADS above 1 switches to gthread workers (gunicorn does
that by itself), for a host where requests wait on something slow, such as
documents streamed from an S3 bucket.
"""

import math
import os


def env_int(name, default):
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def available_cpus():
    """CPUs this process may use: its CPU affinity, and a container's CPU quota
    (cgroup v2 ``cpu.max``, what ``docker run --cpus`` sets) when lower."""
    count = os.process_cpu_count() or 1
    try:
        with open("/sys/fs/cgroup/cpu.max") as cpu_max:
            quota, period = cpu_max.read().split()
        if quota != "max":
            count = min(count, max(1, math.ceil(int(quota) / int(period))))
    except (OSError, ValueError):
        pass
    return count


# Addresses to listen on, comma-separated: host:port, [::]:port or unix:/path.
bind = [
    item.strip() for item in (os.environ.get("GUNICORN_BIND") or "0.0.0.0:8000").split(",") if item.strip()
]

# The usual 2 x CPUs + 1, capped at 8: each worker holds the whole hub in memory
# (about 150-200 MB) and a database connection, and past 8 a single host is
# better served by a second instance than by more processes in this one.
workers = env_int("WEB_CONCURRENCY", min(2 * available_cpus() + 1, 8))
threads = env_int("GUNICORN_THREADS", 1)
worker_class = "gthread" if threads > 1 else "sync"

# A request still running after `timeout` seconds is killed (and logged): no hub
# page should take that long. On a restart or deploy, workers get
# `graceful_timeout` seconds to finish what they are serving.
timeout = env_int("GUNICORN_TIMEOUT", 30)
graceful_timeout = env_int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# Idle keep-alive connections from nginx (gthread only: sync workers close each).
keepalive = env_int("GUNICORN_KEEPALIVE", 5)

# The hub is imported once, in the arbiter, before the workers are forked: a
# worker that starts (at boot, or replacing one after max_requests) is ready at
# once instead of importing Django, Wagtail and the hub first (about 2 s of CPU
# each on a small server), and the workers share the imported code's memory.
# Database and cache connections are opened by each worker on its first
# request, never in the arbiter. GUNICORN_PRELOAD=0 turns it off.
preload_app = os.environ.get("GUNICORN_PRELOAD", "1").strip() != "0"

# Workers are replaced after about this many requests, so memory that grows
# slowly (caches, fragmentation) is given back; the jitter keeps them from
# restarting all at once. 0 turns it off.
max_requests = env_int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = env_int("GUNICORN_MAX_REQUESTS_JITTER", max_requests // 10)

# The workers' heartbeat files on a memory file system: on a container's
# overlay file system the heartbeat can stall a worker.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# Logs go to standard output and error, where compose, journald or the
# process manager collect them. The access log shows the client address nginx
# saw (X-Forwarded-For, which the hub's nginx configuration overwrites) and
# the time each request took, in milliseconds.
# GUNICORN_ACCESS_LOG: "-" (standard output, the default), a file, or "off".
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or "-"
if accesslog == "off":
    accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL") or "info"
access_log_format = '%({x-forwarded-for}i)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'

# gunicorn believes nobody about the scheme or the client: which proxies may
# say a request came over HTTPS, or from which address, is the hub's own
# decision (TRUSTED_PROXIES: hub/security.py, hub/ratelimit.client_address).
# gunicorn's defaults would trust X-Forwarded-Proto from 127.0.0.1 and from
# any Unix socket and set wsgi.url_scheme before the hub could say no.
forwarded_allow_ips = ""
secure_scheme_headers = {}
forwarder_headers = ""

# gunicorn's control socket defaults to one path per user ($HOME/.gunicorn),
# which two instances on one host would fight over; it is opened only when a
# path is given.
control_socket_disable = not os.environ.get("GUNICORN_CONTROL_SOCKET")
if not control_socket_disable:
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]

proc_name = os.environ.get("GUNICORN_PROC_NAME") or "hub"
