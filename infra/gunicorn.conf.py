"""Gunicorn for the web process: threaded WSGI workers, set from the environment.

Why not uvicorn workers (ASGI) yet: Django's ASGI handler runs every request a worker has accepted
at once, each in its own thread with its own database connection, so an on-sale rush of 200
customers opened more connections than PostgreSQL allows and answered 500s (tests/bench/RESULTS.md,
"Ticket war"). Threaded workers bound the connections to workers x threads. That was before the
connection pool (settings, DB_POOL_MAX_SIZE), which bounds an ASGI worker's connections too (a
burst waits, then 503s; "On-sale rush"); the two worker kinds have not been compared since.
The live seat map's Server-Sent Events are the one long-lived request: a separate ASGI process
serves only that path (compose service `sse`, boxoffice/shop/README.md); here it answers 503 and
browsers poll.

Run from the repository root: `gunicorn -c infra/gunicorn.conf.py` (the app is named below).
"""

import os


def _cores() -> int:
    # The CPUs this process may run on (a container's cpuset), not all of the host's.
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


wsgi_app = "boxoffice.wsgi:application"
worker_class = "gthread"
# Each thread holds one database connection: connections = workers x threads.
threads = int(os.environ.get("WEB_THREADS", "2"))

bind = [f"0.0.0.0:{int(os.environ.get('PORT', '8000'))}"]
# Size like sync workers; mind PostgreSQL's max_connections (workers x threads per web node).
workers = int(os.environ.get("WEB_CONCURRENCY", str(2 * _cores() + 1)))

timeout = 30
graceful_timeout = 30
# Longer than a load balancer's idle timeout (commonly 60 s), so the balancer closes idle
# connections first and never sends a request on one the server is closing.
keepalive = 75
# Recycle workers now and then, staggered, so slow leaks cannot grow without bound. Rarely:
# a fresh worker spends ~1.7 s of CPU loading the app (measured by the ticket war), which at
# 2,000 requests was ~0.85 ms per request.
max_requests = 50_000
max_requests_jitter = 5_000
# Heartbeat files in memory: on a disk-backed /tmp, updating them can stall workers (gunicorn's
# docs, "Blocking os.fchmod"). Each file is created and used by gunicorn alone.
_SHARED_MEMORY = "/dev/shm"  # noqa: S108
if os.path.isdir(_SHARED_MEMORY):
    worker_tmp_dir = _SHARED_MEMORY

# No line per request by default: the TLS proxy in front logs every request (with the client's
# real address), as for the `sse` service, and gunicorn's own access log cost ~7% of a worker's
# CPU in an on-sale rush (tests/bench/RESULTS.md, "Ticket war"). WEB_ACCESS_LOG=1 turns it on.
accesslog = "-" if os.environ.get("WEB_ACCESS_LOG", "0").lower() in ("1", "true", "yes") else None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()

# Addresses (or CIDR networks) of the reverse proxy whose X-Forwarded-* headers gunicorn may trust
# for the scheme; the default trusts nobody but loopback. Never "*" when clients can
# reach this port directly: they could then claim any address.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
