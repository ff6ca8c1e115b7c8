"""Reports and the organizer's orders: the numbers a box office checks, search, CSV, roles."""

import csv
import io
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from boxoffice.events.models import EventSeat
from boxoffice.sales import reports
from boxoffice.sales.models import Order
from tenants.roles import Role
from tests.builders.events import on_sale_event
from tests.builders.money import plain
from tests.builders.orders import make_order
from tests.builders.organizers import host_of, make_member, make_organizer, signed_in_client

# 23:30 UTC on 1 March is already 2 March in Amsterdam (the venue's zone).
LATE_EVENING = datetime(2025, 3, 1, 23, 30, tzinfo=UTC)


@pytest.fixture
def org(db):
    organizer = make_organizer("alpha", timezone_name="Europe/Amsterdam")
    organizer.admin = signed_in_client(organizer, make_member(organizer, Role.ADMIN))
    organizer.staff = signed_in_client(organizer, make_member(organizer, Role.STAFF))
    # 3 rows of 4: row A premium, rows B and C standard.
    organizer.event = on_sale_event(organizer, rows=3, seats=4)
    organizer.schema = lambda: schema_context(organizer.schema_name)
    return organizer


@pytest.fixture
def sales(org):
    """One order of each kind that matters for the money, plus a blocked and a lapsed seat."""
    event = org.event
    with org.schema():
        make_order(event, ["stalls/A/1", "stalls/A/2"], children=["stalls/A/2"],
                   paid_at=LATE_EVENING, code="PAID2345", name="Ann Paid")  # fmt: skip
        make_order(event, ["stalls/B/1", "stalls/B/2", "stalls/B/3"],
                   status=Order.Status.PARTIALLY_REFUNDED, refunded_seats=["stalls/B/3"],
                   paid_at=LATE_EVENING + timedelta(hours=10), email="bo@example.org",
                   name="Bo Partial")  # fmt: skip
        make_order(event, ["stalls/B/4"], status=Order.Status.REFUNDED,
                   paid_at=LATE_EVENING + timedelta(days=2), name="Cy Refunded")  # fmt: skip
        # Cancelled by the customer under a 50% policy: half the money stays.
        make_order(event, ["stalls/C/1"], status=Order.Status.CANCELLED, refunded=2500,
                   paid_at=LATE_EVENING + timedelta(days=2, hours=12))  # fmt: skip
        make_order(event, ["stalls/C/2"], status=Order.Status.PENDING_PAYMENT, name="Di Pending")
        make_order(event, ["stalls/C/3"], status=Order.Status.EXPIRED)
        EventSeat.objects.filter(event=event, ref="stalls/C/4").update(status="blocked")
        # A hold that lapsed a minute ago reads as available.
        EventSeat.objects.filter(event=event, ref="stalls/C/3").update(
            status="held", hold_id=999, held_until=timezone.now() - timedelta(minutes=1)
        )
    return event


def get(client: Client, path: str, **params):
    return client.get(path, params)


def test_event_report_adds_up_money_tickets_and_occupancy(org, sales, django_assert_num_queries):
    with org.schema():
        Order.objects.exists()  # the schema's search_path goes out with the first query
        with django_assert_num_queries(4):
            report = reports.event_report(sales)

    # Paid 7500 + 15000 + 5000 + 5000; back 5000 (one of three) + 5000 (all) + 2500 (half).
    assert report["revenue"] == {"gross": 32500, "refunds": 12500, "net": 20000}
    assert report["tickets_sold"] == 4
    assert (report["capacity"], report["seats_sold"], report["occupancy"]) == (12, 4, 33.3)
    premium, standard = report["categories"]
    assert premium == {
        "key": "premium", "name": "Premium", "color": "#7b2cbf",
        "capacity": 4, "sold": 2, "held": 0, "blocked": 0, "available": 2, "occupancy": 50.0,
        "revenue": 7500,
        "ticket_types": [
            {"code": "adult", "name": "Adult", "sold": 1, "revenue": 5000},
            {"code": "child", "name": "Child", "sold": 1, "revenue": 2500},
        ],
    }  # fmt: skip
    # B1, B2 sold; C2 held for the pending payment; C4 blocked; B3, B4, C1 and lapsed C3 free.
    assert {key: standard[key] for key in ("capacity", "sold", "held", "blocked", "available")} == {
        "capacity": 8, "sold": 2, "held": 1, "blocked": 1, "available": 4,
    }  # fmt: skip
    assert (standard["occupancy"], standard["revenue"]) == (25.0, 10000)
    assert sorted((t["code"], t["sold"], t["revenue"]) for t in report["ticket_types"]) == [
        ("adult", 3, 15000), ("child", 1, 2500),
    ]  # fmt: skip
    assert report["orders"]["total"] == 6
    assert {s: n for s, n in report["orders"]["by_status"].items() if n} == {
        "paid": 1, "partially_refunded": 1, "refunded": 1, "cancelled": 1,
        "pending_payment": 1, "expired": 1,
    }  # fmt: skip
    # Days are Amsterdam dates; the day without sales is there for the chart, as zeros.
    assert report["daily"] == [
        {"date": date(2025, 3, 2), "orders": 2, "tickets": 4, "net_revenue": 17500},
        {"date": date(2025, 3, 3), "orders": 0, "tickets": 0, "net_revenue": 0},
        {"date": date(2025, 3, 4), "orders": 2, "tickets": 0, "net_revenue": 2500},
    ]
    assert sum(day["net_revenue"] for day in report["daily"]) == report["revenue"]["net"]


def test_an_event_without_orders_reports_zeros(org):
    with org.schema():
        report = reports.event_report(org.event)
    assert report["revenue"] == {"gross": 0, "refunds": 0, "net": 0}
    assert (report["tickets_sold"], report["occupancy"], report["daily"]) == (0, 0.0, [])
    assert [(c["key"], c["available"], c["ticket_types"]) for c in report["categories"]] == [
        ("premium", 4, []), ("standard", 8, []),
    ]  # fmt: skip


def test_staff_read_the_report_by_id_or_slug(org, sales):
    by_id = get(org.staff, f"/api/v1/reports/events/{sales.uid}")
    assert by_id.status_code == 200, by_id.content
    body = plain(by_id.json())
    assert body["currency"] == "EUR"
    assert body["revenue"] == {"gross": 32500, "refunds": 12500, "net": 20000}
    assert body["event"]["id"] == sales.uid
    assert body["daily"][0] == {"date": "2025-03-02", "orders": 2, "tickets": 4,
                                "net_revenue": 17500}  # fmt: skip
    assert plain(get(org.staff, f"/api/v1/reports/events/{sales.slug}").json()) == body
    answer = get(org.staff, "/api/v1/reports/events/no-such-event")
    assert (answer.status_code, plain(answer.json())["code"]) == (404, "event_not_found")
    # No address holds a NUL (boxoffice.middleware.UnstorableTextMiddleware).
    answer = get(org.staff, "/api/v1/reports/events/evt_%00")
    assert (answer.status_code, plain(answer.json())["code"]) == (404, "not_found")


def test_orders_list_newest_first_with_filters(org, sales):
    listed = get(org.staff, "/api/v1/orders")
    assert listed.status_code == 200, listed.content
    body = plain(listed.json())
    assert body["count"] == 6
    names = [order["name"] for order in body["items"]]
    assert names[0] == "Ann Example" and names[-1] == "Ann Paid"  # created last / first
    partial = next(order for order in body["items"] if order["name"] == "Bo Partial")
    assert {key: partial[key] for key in ("status", "total", "refunded", "tickets")} == {
        "status": "partially_refunded", "total": 15000, "refunded": 5000, "tickets": 2,
    }  # fmt: skip
    assert partial["event"] == {"id": sales.uid, "slug": sales.slug, "title": "Opening night"}

    page = plain(get(org.staff, "/api/v1/orders", limit=2, offset=4).json())
    assert (page["count"], [o["name"] for o in page["items"]]) == (6, names[4:6])
    refunded = plain(get(org.staff, "/api/v1/orders", status="refunded").json())
    assert [order["name"] for order in refunded["items"]] == ["Cy Refunded"]
    assert plain(get(org.staff, "/api/v1/orders", event=sales.slug).json())["count"] == 6
    bad = get(org.staff, "/api/v1/orders", status="lost")
    assert (bad.status_code, plain(bad.json())["code"]) == (422, "invalid_status")
    for unknown in ("nope", "evt_\x00"):
        assert get(org.staff, "/api/v1/orders", event=unknown).status_code == 404


SEARCHES = [
    ("PAID2345", ["Ann Paid"]),
    ("paid-2345", ["Ann Paid"]),  # as read out over the phone
    (" pa-id-23-45 ", ["Ann Paid"]),
    ("PAID234", []),  # codes match whole, never in part
    ("BO@EXAMPLE", ["Bo Partial"]),  # part of an email, any case
    ("example.org", ["Bo Partial"]),
    ("pending", ["Di Pending"]),  # part of a name
    ("nobody", []),
    ("PAID\x002345", ["Ann Paid"]),  # a NUL byte is dropped, never a server error
]


def test_search_by_code_email_or_name(org, sales):
    for q, expected in SEARCHES:
        found = get(org.staff, "/api/v1/orders", q=q)
        assert found.status_code == 200
        assert [order["name"] for order in plain(found.json())["items"]] == expected, q


def test_orders_list_query_count_does_not_grow_with_orders(org, sales, django_assert_num_queries):
    org.staff.get("/api/v1/orders")  # warm the session
    # search_path, session, user, membership, count, page (events joined, tickets a subquery).
    with django_assert_num_queries(6):
        assert plain(get(org.staff, "/api/v1/orders").json())["count"] == 6
    with org.schema():
        for _ in range(3):
            make_order(org.event, ["stalls/A/4"], status=Order.Status.EXPIRED)
    with django_assert_num_queries(6):
        assert plain(get(org.staff, "/api/v1/orders").json())["count"] == 9


def read_csv(response) -> list[dict[str, str]]:
    assert response.streaming
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_has_one_row_per_ticket(org, sales):
    response = get(org.admin, "/api/v1/orders.csv")
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = timezone.now().astimezone(ZoneInfo("Europe/Amsterdam")).date()
    assert response["Content-Disposition"] == f'attachment; filename="alpha-orders-{today}.csv"'
    rows = read_csv(response)
    assert list(rows[0]) == [header for header, _ in reports.EXPORT_COLUMNS]
    assert len(rows) == 9  # 2 + 3 + 1 + 1 + 1 + 1 items
    partial = [row for row in rows if row["name"] == "Bo Partial"]
    assert [(r["seat"], r["item_status"], r["total"], r["order_refunded"]) for r in partial] == [
        ("Stalls, row B, seat 1", "active", "50.00", "50.00"),
        ("Stalls, row B, seat 2", "active", "50.00", "50.00"),
        ("Stalls, row B, seat 3", "refunded", "50.00", "50.00"),
    ]  # fmt: skip
    first_paid = next(row for row in rows if row["order_code"] == "PAID2345")
    assert first_paid["paid_at"] == "2025-03-02T00:30:00+01:00"  # the event's zone
    assert (first_paid["event"], first_paid["category"], first_paid["currency"]) == (
        "Opening night", "premium", "EUR",
    )  # fmt: skip
    assert rows[-1]["order_code"] == "PAID2345"  # newest order first, oldest last
    pending = next(row for row in rows if row["name"] == "Di Pending")
    assert pending["paid_at"] == ""

    filtered = read_csv(get(org.admin, "/api/v1/orders.csv", q="paid-2345", event=sales.uid))
    assert [row["ticket_type"] for row in filtered] == ["Adult", "Child"]
    named = get(org.admin, "/api/v1/orders.csv", event=sales.slug)["Content-Disposition"]
    assert f"alpha-orders-{sales.slug}-" in named


@pytest.mark.parametrize(
    ("currency", "price", "child"), [("KWD", "5.000", "2.500"), ("JPY", "5000", "2500")]
)
def test_csv_writes_decimal_amounts_in_the_orders_currency(db, currency, price, child):
    organizer = make_organizer(f"csv{currency.lower()}", currency=currency)
    admin = signed_in_client(organizer, make_member(organizer, Role.ADMIN))
    event = on_sale_event(organizer, rows=1, seats=2, fee_per_ticket=120)
    with schema_context(organizer.schema_name):
        make_order(event, ["stalls/A/1", "stalls/A/2"], children=["stalls/A/2"])
    rows = read_csv(get(admin, "/api/v1/orders.csv"))
    assert {row["currency"] for row in rows} == {currency}
    assert sorted(row["price"] for row in rows) == sorted([price, child])
    fee = "0.120" if currency == "KWD" else "120"  # a fee card payments can take (0.010s)
    assert {row["fee"] for row in rows} == {fee}
    assert {row["tax"] for row in rows} == {"0.000" if currency == "KWD" else "0"}


def test_csv_cells_never_run_as_formulas(org):
    with org.schema():
        make_order(org.event, ["stalls/A/1"], name='=HYPERLINK("http://evil","x")',
                   email="+31@example.com")  # fmt: skip
        make_order(org.event, ["stalls/A/2"], name="-2+3", email="@me@example.com")
        make_order(org.event, ["stalls/A/3"], name="\tTabbed", email="plain@example.com")
    rows = read_csv(get(org.admin, "/api/v1/orders.csv"))
    assert [(row["name"], row["email"]) for row in rows] == [
        ("'\tTabbed", "plain@example.com"),
        ("'-2+3", "'@me@example.com"),
        ('\'=HYPERLINK("http://evil","x")', "'+31@example.com"),
    ]


def test_roles_staff_read_admins_export_strangers_see_nothing(org, sales):
    refused = get(org.staff, "/api/v1/orders.csv")
    assert (refused.status_code, plain(refused.json())["code"]) == (403, "forbidden")
    anonymous = Client(HTTP_HOST=host_of(org))
    assert anonymous.get("/api/v1/orders").status_code == 401
    assert anonymous.get("/api/v1/orders.csv").status_code == 401
    assert anonymous.get(f"/api/v1/reports/events/{sales.uid}").status_code == 401

    other = make_organizer("beta")
    stranger = signed_in_client(org, make_member(other, Role.OWNER))
    for path in ("/api/v1/orders", "/api/v1/orders.csv", f"/api/v1/reports/events/{sales.uid}"):
        assert stranger.get(path).status_code == 404, path


def test_another_organizers_orders_never_appear(org, sales):
    other = make_organizer("beta")
    their_event = on_sale_event(other, rows=2, seats=2, title="Their show")
    with schema_context(other.schema_name):
        make_order(their_event, ["stalls/A/1"], code="BETA2345", name="Ann Paid",
                   email="ann@example.com")  # fmt: skip
    theirs = signed_in_client(other, make_member(other, Role.ADMIN))

    ours = plain(get(org.staff, "/api/v1/orders", q="Ann Paid").json())
    assert [order["event"]["title"] for order in ours["items"]] == ["Opening night"]
    assert plain(get(org.staff, "/api/v1/orders", q="BETA2345").json())["count"] == 0
    assert get(org.staff, f"/api/v1/reports/events/{their_event.uid}").status_code == 404
    assert get(org.staff, "/api/v1/orders", event=their_event.uid).status_code == 404
    assert {row["event"] for row in read_csv(get(org.admin, "/api/v1/orders.csv"))} == {
        "Opening night"
    }
    their_rows = read_csv(get(theirs, "/api/v1/orders.csv"))
    assert [(row["order_code"], row["event"]) for row in their_rows] == [("BETA2345", "Their show")]
    their_report = plain(get(theirs, f"/api/v1/reports/events/{their_event.uid}").json())
    assert their_report["revenue"]["gross"] == 5000
