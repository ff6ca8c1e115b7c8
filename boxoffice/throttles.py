"""Rate limits per client address for logins, signups and starting holds (django-ninja throttles).

An on-sale rush sends every hold request through here, so a check costs one round trip and no
read-modify-write of a pickled history (django-ninja's SimpleRateThrottle on the database cache
took six statements and serialized each address's requests on one row).

Counting is a sliding-window estimate over two fixed windows: the previous window's count,
weighted by how much of it still overlaps the last `duration` seconds, plus the current one's
(smooth at window edges, constant memory). As with django-ninja's throttles, a refused request
does not count. The counters are shared by every process:
- with the database cache (no REDIS_URL): one upsert on `boxoffice_ratecounter` (public schema)
  that rolls the window over, decides and counts, on the database's clock;
- with any other cache (Redis when REDIS_URL is set): one counter per window in the cache, taken
  back when it went over the limit (concurrent requests may then both be refused, never both
  allowed past the limit).

Written here rather than taken from django-ratelimit (declared once, never used, now removed):
that library decorates views and counts fixed windows with `cache.incr`, which Django's database
cache (ours when there is no Redis) does as a read and then a write, so a rush of concurrent
requests can slip past the limit; these limits are ninja throttles on API operations.
"""

import math
import random
import threading
import time
from functools import cache as memoize

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.db import connection
from django.http import HttpRequest
from ninja.throttling import BaseThrottle

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
# One request in this many also deletes the database counters that have run out.
CULL_EVERY = 1000

# In ON CONFLICT DO UPDATE, `c` is the stored row and EXCLUDED the one proposed for now.
_CURRENT = "CASE WHEN c.window_index = EXCLUDED.window_index THEN c.hits ELSE 0 END"
_PREVIOUS = (
    "CASE WHEN c.window_index = EXCLUDED.window_index THEN c.previous_hits "
    "WHEN c.window_index = EXCLUDED.window_index - 1 THEN c.hits ELSE 0 END"
)
_ELAPSED = "(extract(epoch FROM now()) / %(duration)s - EXCLUDED.window_index)"
_ALLOWED = f"(({_PREVIOUS}) * (1 - {_ELAPSED}) + ({_CURRENT}) + 1 <= %(limit)s)"
COUNT_SQL = f"""
INSERT INTO boxoffice_ratecounter AS c
    (key, window_index, hits, previous_hits, allowed, expires_at)
VALUES (%(key)s, floor(extract(epoch FROM now()) / %(duration)s)::bigint,
        LEAST(1, %(limit)s), 0, %(limit)s >= 1, now() + make_interval(secs => 2 * %(duration)s))
ON CONFLICT (key) DO UPDATE SET
    previous_hits = {_PREVIOUS},
    hits = ({_CURRENT}) + CASE WHEN {_ALLOWED} THEN 1 ELSE 0 END,
    allowed = {_ALLOWED},
    window_index = EXCLUDED.window_index,
    expires_at = EXCLUDED.expires_at
RETURNING allowed, hits, previous_hits, extract(epoch FROM now()) / %(duration)s - window_index
"""  # noqa: S608 (no input in the f-string: fixed fragments)
CULL_SQL = "DELETE FROM boxoffice_ratecounter WHERE expires_at < now()"


@memoize
def parse_rate(rate: str) -> tuple[int, int]:
    """'30/min' -> (30 requests, 60 seconds)."""
    count, period = rate.split("/")
    return int(count), PERIODS[period.strip()[0]]


def estimate(*, hits: int, previous_hits: int, elapsed: float) -> float:
    """Requests in the last window-length of time, `elapsed` being the share of the current
    window that has passed."""
    return previous_hits * (1 - elapsed) + hits


def seconds_to_wait(
    *, limit: int, duration: int, hits: int, previous_hits: int, elapsed: float
) -> float:
    """How long until one more request would be allowed, if none is sent meanwhile."""
    if hits + 1 <= limit and previous_hits:
        # Later in this window, once enough of the previous window has slid out.
        needed = 1 - (limit - hits - 1) / previous_hits
        return max(0.0, needed - elapsed) * duration
    # In the next window, where this window's hits are the previous ones.
    needed = max(0.0, 1 - (limit - 1) / hits) if hits else 0.0
    return (1 - elapsed + needed) * duration


def count_in_database(key: str, limit: int, duration: int) -> tuple[bool, int, int, float]:
    with connection.cursor() as cursor:
        cursor.execute(COUNT_SQL, {"key": key, "limit": limit, "duration": duration})
        allowed, hits, previous_hits, elapsed = cursor.fetchone()
        if random.randrange(CULL_EVERY) == 0:  # noqa: S311 (not security)
            cursor.execute(CULL_SQL)
    return allowed, hits, previous_hits, float(elapsed)


def count_in_cache(key: str, limit: int, duration: int) -> tuple[bool, int, int, float]:
    position = time.time() / duration
    window = math.floor(position)
    elapsed = position - window
    current = f"rate:{key}:{window}"
    cache = caches["default"]
    # A counter lives for two windows: one as the current, one as the previous.
    cache.add(current, 0, timeout=2 * duration + 1)
    try:
        hits = cache.incr(current)
    except ValueError:  # evicted between add() and incr()
        cache.set(current, 1, timeout=2 * duration + 1)
        hits = 1
    previous_hits = cache.get(f"rate:{key}:{window - 1}", 0)
    allowed = estimate(hits=hits, previous_hits=previous_hits, elapsed=elapsed) <= limit
    if not allowed:
        hits = cache.decr(current)
    return allowed, hits, previous_hits, elapsed


class ClientRateThrottle(BaseThrottle):
    """Counts the requests of one client address within `scope`, signed in or not. The rate
    is `settings.RATE_LIMITS[scope]`, read per request so settings can change it at run time.
    One instance serves every thread of a worker; nothing of a request is kept on it."""

    def __init__(self, scope: str) -> None:
        self.scope = scope
        self._last = threading.local()

    def allow_request(self, request: HttpRequest) -> bool:
        limit, duration = parse_rate(settings.RATE_LIMITS[self.scope])
        key = f"{self.scope}:{duration}:{self.get_ident(request) or 'unknown'}"
        in_database = isinstance(caches["default"], DatabaseCache)
        count = count_in_database if in_database else count_in_cache
        allowed, hits, previous_hits, elapsed = count(key, limit, duration)
        self._last.wait = (
            None
            if allowed
            else seconds_to_wait(
                limit=limit,
                duration=duration,
                hits=hits,
                previous_hits=previous_hits,
                elapsed=elapsed,
            )
        )
        return allowed

    def wait(self) -> float | None:
        """Seconds until this thread's last refused client may try again."""
        return getattr(self._last, "wait", None)


def login_throttle() -> ClientRateThrottle:
    return ClientRateThrottle("login")


def signup_throttle() -> ClientRateThrottle:
    return ClientRateThrottle("signup")
