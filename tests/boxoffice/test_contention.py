"""A deadlock or serialization failure that PostgreSQL resolved by undoing our transaction is a
clear 409 the client may retry, not a 500."""

import json
import threading

import pytest
from django.db import OperationalError, connection, transaction
from django.test import RequestFactory

from boxoffice.api_errors import _unexpected
from tests.builders.races import race


@pytest.mark.django_db(transaction=True)
def test_a_real_deadlock_answers_409_contention_with_retry_after():
    """Two transactions take two locks in opposite orders; PostgreSQL undoes one of them."""
    both_hold_one = threading.Barrier(2, timeout=10)
    pairs = ((1, 2), (2, 1))

    def lock(index: int) -> None:
        first, second = pairs[index]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [first])
            both_hold_one.wait()
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [second])

    outcomes = race(lock, contenders=2, expected=(OperationalError,), timeout=60)
    errors = [outcome for outcome in outcomes if isinstance(outcome, OperationalError)]
    assert len(errors) == 1  # the other one got both locks once this one was undone
    answer = _unexpected(RequestFactory().post("/api/v1/holds/x/seats"), errors[0])
    assert answer.status_code == 409
    assert json.loads(answer.content)["code"] == "contention"
    assert answer["Retry-After"] == "1"


def test_other_database_errors_stay_500():
    answer = _unexpected(RequestFactory().get("/"), OperationalError("server closed"))
    assert answer.status_code == 500
