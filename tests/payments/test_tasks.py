"""The jobs the payment services queue by dotted path (tasks.py imports the services, so the
services name the jobs instead of importing them) and the reconcile schedule exist."""

import importlib

from django.utils.module_loading import import_string

from boxoffice.payments import tasks
from boxoffice.payments.services import emails, refunds


def test_every_job_queued_by_name_is_a_job_of_tasks_py():
    schedule = importlib.import_module("boxoffice.payments.migrations.0002_reconcile_schedule")
    paths = [
        refunds.EXECUTE_REFUND_JOB,
        refunds.CANCELLED_EVENT_REFUND_JOB,
        emails.SEND_ORDER_EMAIL_JOB,
        schedule.FUNC,
    ]
    for path in paths:
        job = import_string(path)
        assert callable(job) and job.__module__ == tasks.__name__, path
