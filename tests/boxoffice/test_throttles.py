"""Rate limits: one statement per check, a sliding-window estimate, 429 with Retry-After."""

import pytest
from django.db import connection
from django.test import RequestFactory, override_settings

from boxoffice.models import RateCounter
from boxoffice.throttles import (
    ClientRateThrottle,
    estimate,
    parse_rate,
    seconds_to_wait,
)

LIMITS = {"login": "3/min", "signup": "10/hour", "holds": "30/min"}
LOCAL_CACHE = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def request_from(address: str):
    return RequestFactory().post("/", REMOTE_ADDR=address)


def test_rates_parse():
    assert parse_rate("30/min") == (30, 60)
    assert parse_rate("10/hour") == (10, 3600)
    assert parse_rate("5/s") == (5, 1)
    assert parse_rate("1000/day") == (1000, 86400)


def test_the_previous_window_counts_for_what_still_overlaps():
    assert estimate(hits=1, previous_hits=10, elapsed=0.25) == 8.5
    assert estimate(hits=4, previous_hits=0, elapsed=0.9) == 4


def test_waiting_time():
    # 3/min, all 3 used this window, a quarter through: in the next window, once a third of this
    # one has slid out (3 * 2/3 + 1 <= 3).
    wait = seconds_to_wait(limit=3, duration=60, hits=3, previous_hits=0, elapsed=0.25)
    assert wait == pytest.approx(45 + 20)
    # 10/min; 10 last window, 2 so far, 10% through: 2 + 10 * (1 - x) + 1 <= 10 from x = 0.3.
    wait = seconds_to_wait(limit=10, duration=60, hits=2, previous_hits=10, elapsed=0.1)
    assert wait == pytest.approx(12)
    # This window full too: next window, as above.
    wait = seconds_to_wait(limit=3, duration=60, hits=3, previous_hits=3, elapsed=0.5)
    assert wait == pytest.approx(30 + 20)


@override_settings(RATE_LIMITS=LIMITS)
@pytest.mark.django_db
def test_one_statement_per_check_on_the_database(django_assert_num_queries):
    throttle = ClientRateThrottle("login")
    assert throttle.allow_request(request_from("10.0.0.1"))  # (and django-tenants' search_path)
    for _ in range(2):
        with django_assert_num_queries(1):
            assert throttle.allow_request(request_from("10.0.0.1"))
    assert throttle.wait() is None
    assert not throttle.allow_request(request_from("10.0.0.1"))
    assert 0 < throttle.wait() <= 2 * 60
    assert not throttle.allow_request(request_from("10.0.0.1"))  # refused: not counted
    # Another address, another scope: counted apart.
    assert throttle.allow_request(request_from("10.0.0.2"))
    assert ClientRateThrottle("signup").allow_request(request_from("10.0.0.1"))
    counter = RateCounter.objects.get(key="login:60:10.0.0.1")
    assert (counter.hits, counter.previous_hits, counter.allowed) == (3, 0, False)


@override_settings(RATE_LIMITS=LIMITS)
@pytest.mark.django_db
def test_the_database_counter_rolls_over():
    throttle = ClientRateThrottle("holds")
    for _ in range(3):
        throttle.allow_request(request_from("10.0.0.1"))
    # As if those three came in the previous window: they count for what still overlaps.
    RateCounter.objects.filter(key="holds:60:10.0.0.1").update(window_index=connection_window() - 1)
    assert throttle.allow_request(request_from("10.0.0.1"))
    counter = RateCounter.objects.get(key="holds:60:10.0.0.1")
    assert (counter.window_index, counter.hits, counter.previous_hits) == (
        connection_window(),
        1,
        3,
    )
    # Two windows ago says nothing any more.
    RateCounter.objects.filter(key="holds:60:10.0.0.1").update(window_index=connection_window() - 2)
    assert throttle.allow_request(request_from("10.0.0.1"))
    counter = RateCounter.objects.get(key="holds:60:10.0.0.1")
    assert (counter.hits, counter.previous_hits) == (1, 0)


def connection_window() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT floor(extract(epoch FROM now()) / 60)::bigint")
        return cursor.fetchone()[0]


@override_settings(RATE_LIMITS=LIMITS, CACHES=LOCAL_CACHE)
@pytest.mark.django_db
def test_other_caches_count_in_the_cache(django_assert_num_queries):
    throttle = ClientRateThrottle("login")
    with django_assert_num_queries(0):
        assert [throttle.allow_request(request_from("10.0.0.1")) for _ in range(4)] == [
            True,
            True,
            True,
            False,
        ]
    assert 0 < throttle.wait() <= 2 * 60
    assert not throttle.allow_request(request_from("10.0.0.1"))
    assert throttle.allow_request(request_from("10.0.0.9"))
