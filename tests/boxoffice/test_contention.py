"""A deadlock or serialization failure that PostgreSQL resolved by undoing our transaction is a
clear 409 the client may retry, not a 500."""

import json

import psycopg
from django.db import OperationalError
from django.test import RequestFactory

from boxoffice.api_errors import _unexpected


def test_a_deadlock_answers_409_contention_with_retry_after():
    error = OperationalError("deadlock detected")
    error.__cause__ = psycopg.errors.DeadlockDetected("deadlock detected")
    answer = _unexpected(RequestFactory().post("/api/v1/holds/x/seats"), error)
    assert answer.status_code == 409
    assert json.loads(answer.content)["code"] == "contention"
    assert answer["Retry-After"] == "1"


def test_other_database_errors_stay_500():
    answer = _unexpected(RequestFactory().get("/"), OperationalError("server closed"))
    assert answer.status_code == 500
