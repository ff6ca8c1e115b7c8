"""Malformed but signed events never answer 500: what cannot be read as an event is 400 with a
code, anything else is recorded (ignored or rejected) and changes no order it should not."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from boxoffice.payments.models import WebhookEvent
from boxoffice.payments.providers.sandbox import event_envelope, session_object
from boxoffice.payments.services.webhooks import HANDLERS
from boxoffice.payments.signatures import sign
from boxoffice.tickets.models import Ticket
from tests.builders.payments import make_shop

pytestmark = pytest.mark.django_db


def post_raw(shop, body: bytes):
    return shop.platform.post(
        "/webhooks/stripe", body, content_type="application/json",
        HTTP_STRIPE_SIGNATURE=sign(body),
    )  # fmt: skip


def order_state(shop, code: str) -> tuple:
    order = shop.order(code)
    with shop.schema():
        tickets = Ticket.objects.filter(order=order).count()
    return order.status, order.refunded, order.disputed_at, order.provider_payment_id, tickets


def test_signed_bodies_that_are_not_events_are_400_with_a_code_and_store_nothing():
    shop = make_shop()
    deep = b'{"id": "evt_1", "type": "x", "data": {"object": ' + b'{"a": ' * 100 + b"1" + b"}" * 102
    deeper = b"[" * 100_000 + b"]" * 100_000
    for body in (
        b"not json", b"[]", b'"text"', b'{"id": "evt_1"}', b'{"id": 5, "type": "x", "data": {}}',
        b'{"id": "evt_1", "type": "x", "data": {"object": []}}',
        b'{"id": "evt_1", "type": "x", "data": {"object": {"amount": NaN}}}',
        b'{"id": "evt_1", "type": "x", "data": {"object": {"amount": 1e999}}}',
        b'{"id": "evt_1", "type": "x", "data": {"object": {"n": 1' + b"0" * 5000 + b"}}}",
        b"\xff\xfe not utf-8", deep, deeper,
    ):  # fmt: skip
        answer = post_raw(shop, body)
        assert answer.status_code == 400, (body[:60], answer.content)
        assert answer.json()["code"] in ("invalid_payload", "bad_signature")
    assert not WebhookEvent.objects.exists()


def test_odd_but_readable_events_are_recorded_and_change_nothing():
    shop = make_shop()
    code = shop.checkout("stalls/B/1")["order_code"]
    before = order_state(shop, code)
    session = session_object(shop.session(code)) | {"status": "complete", "payment_status": "paid"}

    def deliver(event_type: str, obj: dict, **envelope) -> WebhookEvent:
        event = event_envelope(event_type, obj) | envelope
        answer = shop.deliver(event)
        assert answer.status_code == 200, answer.content
        return WebhookEvent.objects.get(provider_event_id=event["id"][:255])

    for metadata in ([], "org_alpha", 7, {"schema": ["org_alpha"]}):
        stored = deliver("checkout.session.completed", session | {"metadata": metadata})
        assert stored.status == "rejected"
    for schema in ("public", "pg_catalog", "nonsense", "org_alpha; DROP SCHEMA org_alpha"):
        metadata = {"schema": schema, "order": code}
        assert deliver("checkout.session.completed", session | {"metadata": metadata}).reason == (
            "metadata_mismatch"
        )
        unknown = session | {"id": "cs_unknown", "metadata": metadata}
        assert deliver("checkout.session.completed", unknown).reason == "unknown_payment"
    assert deliver("checkout.session.completed", session, account={"id": "acct_1"}).reason == (
        "account_mismatch"
    )
    too_long = session | {"id": "cs_" + "x" * 400}  # longer than any session id we stored
    assert deliver("checkout.session.completed", too_long).reason == "unknown_payment"
    assert deliver("checkout.session.completed", session | {"object": "charge"}).reason == (
        "invalid_object"
    )
    for amount in ("2600", 26.0, -1, 10**40, None, {"value": 1}):
        stored = deliver("checkout.session.completed", session | {"amount_total": amount})
        assert stored.reason == "amount_mismatch"
    long_type = deliver("x" * 300, {"id": "obj_1"})
    assert (long_type.status, len(long_type.type)) == ("ignored", 100)
    long_id = event_envelope("customer.created", {"id": "cus_1"}) | {"id": "evt_" + "y" * 400}
    assert shop.deliver(long_id).status_code == 200
    assert shop.deliver(long_id).json()["code"] == "duplicate"  # still stored once
    assert order_state(shop, code) == before
    # NUL and lone surrogates, in values, keys and ids: stored as U+FFFD, and the event (the
    # order's genuine payment otherwise) is applied.
    raw = json.dumps(event_envelope("checkout.session.completed", session)).replace(
        '"livemode": false', '"livemode": false, "note\\u0000": "a\\u0000b\\ud800c\\udfff"'
    )
    raw = raw.replace('"id": "evt_', '"id": "evt_\\u0000\\ud800', 1)
    answer = post_raw(shop, raw.encode())
    assert answer.status_code == 200, answer.content
    stored = WebhookEvent.objects.get(provider_event_id__startswith="evt_\ufffd\ufffd")
    assert stored.payload["data"]["object"]["note\ufffd"] == "a\ufffdb\ufffdc\ufffd"
    assert stored.status == "processed" and shop.order(code).status == "paid"


def json_values():
    text = st.text(st.characters(codec=None, exclude_categories=()), max_size=12)
    scalars = st.none() | st.booleans() | st.integers(-(10**20), 10**20) | text
    scalars |= st.floats(allow_nan=False, allow_infinity=False)
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
        max_leaves=8,
    )


def test_signed_events_of_random_shapes_never_answer_5xx_nor_touch_the_order():
    shop = make_shop()
    code = shop.checkout("stalls/B/1")["order_code"]
    other = make_shop("beta")
    code_b = other.checkout("stalls/B/1")["order_code"]
    session = shop.session(code)
    total = shop.order(code).total
    before = order_state(shop, code), order_state(other, code_b)

    ids = st.sampled_from([session.session_id, session.payment_intent, other.session(code_b)
                           .session_id, "cs_x", ""]) | json_values()  # fmt: skip
    # Never the order's own amount: no generated event may pay, refund or close it.
    amounts = st.integers(-5, 10**12).filter(lambda amount: amount != total) | json_values()
    metadata = (
        st.fixed_dictionaries(
            {},
            optional={
                "schema": st.sampled_from(["org_alpha", "org_beta", "public", "pg_catalog"])
                | json_values(),
                "order": st.sampled_from([code, code_b]) | json_values(),
                "refund": json_values(),
            },
        )
        | json_values()
    )
    objects = st.fixed_dictionaries(
        {},
        optional={
            "id": ids, "object": st.sampled_from(["checkout.session", "refund", "charge",
                                                  "dispute"]) | json_values(),
            "payment_intent": ids, "charge": ids, "amount_total": amounts, "amount": amounts,
            "amount_refunded": amounts,
            "currency": st.sampled_from(["eur", "EUR", "jpy"]) | json_values(),
            "status": st.sampled_from(["complete", "expired", "open", "succeeded"])
            | json_values(),
            "payment_status": st.sampled_from(["paid", "unpaid", "no_payment_required"])
            | json_values(),
            "metadata": metadata, "reason": json_values(), "failure_reason": json_values(),
        },
    )  # fmt: skip
    events = st.fixed_dictionaries(
        {
            "id": st.text(min_size=1, max_size=300) | st.uuids().map(lambda u: f"evt_{u}"),
            "type": st.sampled_from(sorted(HANDLERS)) | st.text(min_size=1, max_size=120),
            "data": st.fixed_dictionaries({"object": objects}),
        },
        optional={"account": st.sampled_from(["acct_1Other", ""]) | json_values()},
    )

    @settings(
        max_examples=120, deadline=None, database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )  # fmt: skip
    @given(event=events)
    def delivered(event):
        answer = post_raw(shop, json.dumps(event).encode())
        assert answer.status_code < 500, (event, answer.content)

    delivered()
    assert (order_state(shop, code), order_state(other, code_b)) == before
    assert not WebhookEvent.objects.filter(status__in=["failed", "processed"]).exists()
