"""A small shop for payment tests, used over HTTP as customers and the provider use it: an
on-sale event, clients for the organizer and platform sites, holds, checkouts, the sandbox
payment page and signed provider events; and jobs run inline."""

import json
import time
from contextlib import contextmanager
from dataclasses import dataclass
from unittest import mock

from django.test import Client
from django_tenants.utils import schema_context

from boxoffice.payments.models import SandboxSession
from boxoffice.payments.providers.sandbox import event_envelope, session_object
from boxoffice.payments.signatures import sign
from boxoffice.sales.models import Order
from tests.builders.events import on_sale_event
from tests.builders.money import plain
from tests.builders.organizers import host_of, make_organizer


@dataclass
class Shop:
    organizer: object
    event: object
    client: Client
    platform: Client

    def schema(self):
        return schema_context(self.organizer.schema_name)

    def post(self, path: str, payload: dict | None = None, **extra):
        return self.client.post(path, payload or {}, content_type="application/json", **extra)

    def hold(self, *refs: str) -> str:
        answer = self.post(f"/api/v1/events/{self.event.uid}/holds", {"seats": list(refs)})
        assert answer.status_code == 201, answer.json()
        return plain(answer.json())["token"]

    def checkout(self, *refs: str, **fields) -> dict:
        token = self.hold(*refs)
        payload = {"email": "ana@example.com", "name": "Ana Lima"} | fields
        answer = self.post(f"/api/v1/holds/{token}/checkout", payload)
        assert answer.status_code == 201, answer.json()
        return plain(answer.json())

    def order(self, code: str) -> Order:
        with self.schema():
            return Order.objects.select_related("event").get(code=code)

    def session(self, code: str) -> SandboxSession:
        return SandboxSession.objects.get(session_id=self.order(code).provider_session_id)

    def deliver(self, event: dict, *, timestamp: int | None = None, secret: str | None = None):
        body = json.dumps(event).encode()
        return self.platform.post(
            "/webhooks/stripe",
            body,
            content_type="application/json",
            HTTP_STRIPE_SIGNATURE=sign(body, timestamp=timestamp, secret=secret),
        )

    def session_event(self, code: str, event_type: str, **changes) -> dict:
        """A Stripe-format event about this order's sandbox session, as the provider would
        send it (`changes` override fields of the session object)."""
        session = self.session(code)
        for name, value in changes.items():
            setattr(session, name, value)
        return event_envelope(event_type, session_object(session))


def make_shop(slug: str = "alpha", **event_fields) -> Shop:
    organizer = make_organizer(slug)
    event = on_sale_event(organizer, rows=5, seats=10, max_seats_per_order=6, **event_fields)
    return Shop(
        organizer=organizer,
        event=event,
        client=Client(HTTP_HOST=host_of(organizer)),
        platform=Client(HTTP_HOST="localhost"),
    )


def buy(shop: Shop, *refs: str) -> dict:
    """A checkout of `refs` paid on the sandbox page, its webhook delivered: the order is paid."""
    answer = shop.checkout(*refs)
    session = shop.session(answer["order_code"])
    # the customer pays on the sandbox page; its event reaches the webhook
    shop.platform.post(f"/sandbox/checkout/{session.session_id}", {"outcome": "pay"})
    shop.deliver(
        shop.session_event(answer["order_code"], "checkout.session.completed", status="complete",
                           payment_status="paid")
    )  # fmt: skip
    assert shop.order(answer["order_code"]).status == "paid"
    return answer


def now() -> int:
    return int(time.time())


@contextmanager
def jobs_run_inline(capture):
    """Jobs queued on commit run in this process when the block ends, as a django-q2 worker
    would run them (through boxoffice.jobs.run_in_schema). `capture` is pytest-django's
    django_capture_on_commit_callbacks fixture."""
    with (
        mock.patch(
            "boxoffice.jobs.async_task", side_effect=lambda func, *args, **options: func(*args)
        ),
        capture(execute=True),
    ):
        yield
