"""Rate limits for logins, signups and (later) on-sale endpoints, on django-ninja's throttles.

They keep their counters in the default cache: Redis when REDIS_URL is set, otherwise the
database cache table, so every web process shares them.
"""

from django.conf import settings
from django.http import HttpRequest
from ninja.throttling import SimpleRateThrottle


class ClientRateThrottle(SimpleRateThrottle):
    """Counts every request from one client address within `scope`, signed in or not."""

    def __init__(self, scope: str) -> None:
        # The rate is read per request (below), so settings can change it at run time.
        self.scope = scope

    def allow_request(self, request: HttpRequest) -> bool:
        self.rate = settings.RATE_LIMITS[self.scope]
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)

    def get_cache_key(self, request: HttpRequest) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def login_throttle() -> ClientRateThrottle:
    return ClientRateThrottle("login")


def signup_throttle() -> ClientRateThrottle:
    return ClientRateThrottle("signup")
