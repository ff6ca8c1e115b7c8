"""People read a ticket as "Stalls Centre, row A, seat 2 · Premium Circle · Adult": the place,
the category's name and the ticket type's name (boxoffice.sales.models.item_line), never the
keys "stalls", "premium" or "adult". Keys stay in the JSON beside the names (the API's contract,
and what check-in lists compare)."""

import csv
import importlib
import io
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from boxoffice.events.selectors import category_names
from boxoffice.events.services.events import change_event_status, create_event
from boxoffice.sales.models import OrderItem
from boxoffice.tickets.models import Ticket
from tests.builders.checkin import body_of, make_door, manifest, scan
from tests.builders.events import ACTOR, price_everything, published_version
from tests.builders.money import plain
from tests.builders.orders import make_order
from tests.builders.organizers import host_of, make_organizer, owner_of, signed_in_client
from tests.builders.payments import Shop, jobs_run_inline
from tests.builders.seatmaps import grid_document

pytestmark = pytest.mark.django_db
LINE = "Stalls Centre, row A, seat 2 · Premium Circle · Adult"
KEYS = ("premium", "standard")  # as people would see them; the names are capitalised


def named_shop(slug: str) -> Shop:
    """A shop whose seat map names its section and categories unlike their keys."""
    organizer = make_organizer(slug)
    document = grid_document(2, 4)
    document.sections[0].name = "Stalls Centre"
    document.categories = [
        document.categories[0].model_copy(update={"name": "Premium Circle"}),
        document.categories[1].model_copy(update={"name": "Rear Stalls"}),
    ]
    with schema_context(organizer.schema_name):
        starts = timezone.now() + timedelta(days=30)
        event = create_event(
            actor=ACTOR, seat_map_version=published_version(document=document), title="Gala",
            starts_at=starts, ends_at=starts + timedelta(hours=2),
        )  # fmt: skip
        price_everything(event)
        event = change_event_status(actor=ACTOR, event=event, action="publish")
    return Shop(organizer=organizer, event=event, client=Client(HTTP_HOST=host_of(organizer)),
                platform=Client(HTTP_HOST="localhost"))  # fmt: skip


def paid_order(shop: Shop, capture, *refs: str) -> tuple[str, str, dict]:
    token = shop.hold(*refs)
    quote = plain(shop.post(f"/api/v1/holds/{token}/quote").json())
    answer = plain(shop.post(f"/api/v1/holds/{token}/checkout",
                             {"email": "ana@example.com", "name": "Ana"}).json())  # fmt: skip
    answer["quote"] = quote
    sandbox = shop.platform.get(answer["payment_url"].removeprefix("http://localhost"))
    answer["sandbox_page"] = sandbox.content.decode()
    code, secret = answer["order_code"], answer["order_secret"]
    with jobs_run_inline(capture):
        shop.deliver(shop.session_event(code, "checkout.session.completed", status="complete",
                                        payment_status="paid"))  # fmt: skip
    return code, secret, answer


def without_keys(text: str) -> bool:
    return not any(key in text for key in KEYS)


def test_quote_payment_page_order_tickets_email_csv_and_console_name_the_category(
    django_capture_on_commit_callbacks,
):
    shop = named_shop("catnames")
    code, secret, answer = paid_order(shop, django_capture_on_commit_callbacks, "stalls/A/2")

    [item] = answer["quote"]["items"]
    assert (item["category"], item["category_name"]) == ("premium", "Premium Circle")
    assert (item["ticket_type"], item["ticket_type_name"]) == ("adult", "Adult")
    assert item["description"] == LINE
    assert answer["quote"]["lines"][0]["description"].startswith(LINE)
    assert f"Gala: {LINE}" in answer["sandbox_page"]

    order = plain(shop.client.get(f"/api/v1/orders/{code}?secret={secret}").json())
    [item] = order["items"]
    assert (item["category"], item["category_name"], item["description"]) == (
        "premium", "Premium Circle", LINE,
    )  # fmt: skip
    assert order["lines"][0]["description"] == LINE

    page = shop.client.get(f"/orders/{code}/?secret={secret}").content.decode()
    assert page.count(LINE) == 2 and without_keys(page)  # the order's table and the ticket
    tickets = shop.client.get(f"/orders/{code}/tickets?secret={secret}").content.decode()
    assert LINE in tickets and without_keys(tickets)
    [email] = [message for message in mail.outbox if code in message.subject]
    assert LINE in email.body and without_keys(email.body)

    owner = signed_in_client(shop.organizer, owner_of(shop.organizer))
    console = owner.get(f"/console/orders/{code}/").content.decode()
    assert "<td>Premium Circle</td>" in console and without_keys(console)
    prices = owner.get(f"/console/events/{shop.event.uid}/").content.decode()
    assert "<td>Premium Circle</td><td>Adult</td><td>Regular</td>" in prices
    assert without_keys(prices)
    text = b"".join(owner.get("/api/v1/orders.csv").streaming_content).decode()
    [row] = csv.DictReader(io.StringIO(text))
    assert (row["seat"], row["category_name"], row["ticket_type"]) == (
        "Stalls Centre, row A, seat 2", "Premium Circle", "Adult",
    )  # fmt: skip
    assert row["category"] == "premium"  # the key stays, for filters and joins with the API


def test_the_door_gets_the_names_beside_the_key(django_capture_on_commit_callbacks):
    shop = named_shop("catdoor")
    code, _secret, _answer = paid_order(shop, django_capture_on_commit_callbacks, "stalls/A/2")
    door = make_door(shop.organizer, shop.event, categories=["premium"])
    with shop.schema():
        ticket = Ticket.objects.get(order__code=code)

    body = body_of(manifest(door.device(), door.list_id))
    [row] = body["tickets"]
    fields = dict(zip(body["ticket_fields"], row, strict=True))
    assert (fields["category"], fields["category_name"], fields["description"]) == (
        "premium", "Premium Circle", LINE,
    )  # fmt: skip

    answer = scan(door.device(), door.list_id, ticket.payload).json()
    assert answer["verdict"] == "ok"  # the list names the key, and the key still matches
    assert answer["ticket"]["category"] == "premium"
    assert answer["ticket"]["category_name"] == "Premium Circle"
    assert answer["ticket"]["description"] == LINE


def test_items_sold_before_names_were_stored_get_them_from_their_seat_map():
    shop = named_shop("catold")
    with shop.schema():
        make_order(shop.event, ["stalls/A/1", "stalls/B/1"])
        assert category_names(shop.event) == {
            "premium": "Premium Circle", "standard": "Rear Stalls",
        }  # fmt: skip
        OrderItem.objects.update(category_name="")
        migration = importlib.import_module(
            "boxoffice.sales.migrations.0007_orderitem_category_name"
        )
        with connection.cursor() as cursor:
            cursor.execute(migration.BACKFILL)
        names = dict(OrderItem.objects.values_list("category", "category_name"))
        assert names == category_names(shop.event)
