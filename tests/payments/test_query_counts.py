"""Query counts pinned on the payment hot paths: checkout (`POST /api/v1/holds/{token}/checkout`
on the sandbox provider), the webhook of a paid session (`checkout.session.completed` for an
order awaiting payment) and the customer's order page (`/orders/<code>/?secret=`).

Each count is today's, statement by statement, so a change that adds a query fails here and
says so. The counts include the tenant's `SET search_path` and, as the tests run inside a
transaction, each `transaction.atomic`'s SAVEPOINT and RELEASE. Jobs queued on commit (the
confirmation email) never run inside the test transaction, so they are not counted. The
organizer's first signing key is made by a paid order before the counted one (a first sale
makes it; later ones only read it)."""

from tests.builders.payments import buy, make_shop

# search_path; the rate limit's counter; the hold (find_hold); place_order: SAVEPOINT x2, the
# hold FOR UPDATE, an order already made from it?, its seats, ticket types, the phase in force,
# prices, SAVEPOINT, the order INSERT, RELEASE, section names (seats, areas), category names,
# the items INSERT, the seats' new deadline, the hold converted, RELEASE; the items for the
# payable check, RELEASE; the items again for the provider's line items; the application fee
# UPDATE and its read back; the sandbox: a session by idempotency key, SAVEPOINT, INSERT,
# RELEASE; SAVEPOINT, the session attached to the order, PaymentRoute get_or_create (SELECT,
# SAVEPOINT, INSERT, RELEASE), RELEASE.
CHECKOUT = 37
# search_path (public); SAVEPOINT, the event stored once, read back FOR UPDATE; SAVEPOINT for
# the effects, the route FOR UPDATE, its organizer, its schema exists, search_path (the
# organizer's), the order; the payment intent is no other session's, learnt on the route;
# confirm_payment: the order FOR UPDATE, its seats, SAVEPOINT, SELL_SEATS, RELEASE, the order
# paid; the route's payment id again (fulfil_order); the tickets: the order's standing, the
# items already ticketed, the items, SAVEPOINT, INSERT, the signing key, the payloads signed,
# RELEASE; search_path (public), RELEASE; the event's outcome saved, RELEASE.
WEBHOOK_PAID = 31
# search_path, the order (find_order), its items, its tickets (the API shape), its refunds, its
# tickets again (the page's QR codes, tickets.selectors.order_tickets).
ORDER_PAGE = 6


def test_checkout_over_http(db, django_assert_num_queries):
    shop = make_shop()
    shop.checkout("stalls/A/1")  # warms what is cached per process (the host's organizer)
    token = shop.hold("stalls/B/1", "stalls/B/2")
    with django_assert_num_queries(CHECKOUT):
        answer = shop.post(
            f"/api/v1/holds/{token}/checkout", {"email": "ana@example.com", "name": "Ana Lima"}
        )
    assert answer.status_code == 201 and answer.json()["status"] == "pending_payment"


def test_webhook_of_a_paid_session_for_an_order_awaiting_payment(db, django_assert_num_queries):
    shop = make_shop()
    buy(shop, "stalls/A/1")  # the organizer's signing key exists from the first sale on
    code = shop.checkout("stalls/B/1", "stalls/B/2")["order_code"]
    session = shop.session(code)
    shop.platform.post(f"/sandbox/checkout/{session.session_id}", {"outcome": "pay"})
    event = shop.session_event(
        code, "checkout.session.completed", status="complete", payment_status="paid"
    )
    with django_assert_num_queries(WEBHOOK_PAID):
        answer = shop.deliver(event)
    assert answer.status_code == 200 and answer.json()["code"] == "ok", answer.json()
    assert shop.order(code).status == "paid"


def test_the_order_page(db, django_assert_num_queries):
    shop = make_shop()
    answer = buy(shop, "stalls/B/1", "stalls/B/2")
    path, secret = f"/orders/{answer['order_code']}/", answer["order_secret"]
    with django_assert_num_queries(ORDER_PAGE):
        page = shop.client.get(path, {"secret": secret})
    assert page.status_code == 200 and page.content.count(b'class="qr"') == 2
