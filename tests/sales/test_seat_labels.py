"""People read a seat's section by its name, never its key: the order item's label (built once,
by boxoffice.sales.services.orders.seat_label) is what the quote, the order, the emails and the
CSV show."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from boxoffice.events.services.events import change_event_status, create_event
from tests.builders.events import ACTOR, price_everything, published_version
from tests.builders.money import plain
from tests.builders.organizers import host_of, make_organizer, owner_of, signed_in_client
from tests.builders.payments import Shop, jobs_run_inline
from tests.builders.seatmaps import grid_document

pytestmark = pytest.mark.django_db
NAME, KEY_LABEL = "Stalls Centre, row B, seat 4", "stalls, row B"


def test_quote_order_email_and_csv_name_the_section(django_capture_on_commit_callbacks):
    organizer = make_organizer("labels")
    document = grid_document(3, 4)
    document.sections[0].name = "Stalls Centre"  # its key stays "stalls"
    with schema_context(organizer.schema_name):
        starts = timezone.now() + timedelta(days=30)
        event = create_event(
            actor=ACTOR, seat_map_version=published_version(document=document), title="Gala",
            starts_at=starts, ends_at=starts + timedelta(hours=2),
        )  # fmt: skip
        price_everything(event)
        event = change_event_status(actor=ACTOR, event=event, action="publish")
    shop = Shop(organizer=organizer, event=event, client=Client(HTTP_HOST=host_of(organizer)),
                platform=Client(HTTP_HOST="localhost"))  # fmt: skip
    token = shop.hold("stalls/B/4")
    quote = plain(shop.post(f"/api/v1/holds/{token}/quote").json())
    assert quote["items"][0]["label"] == NAME
    assert quote["lines"][0]["description"].startswith(NAME)
    answer = plain(shop.post(f"/api/v1/holds/{token}/checkout",
                             {"email": "ana@example.com", "name": "Ana"}).json())  # fmt: skip
    code, secret = answer["order_code"], answer["order_secret"]
    with jobs_run_inline(django_capture_on_commit_callbacks):
        shop.deliver(shop.session_event(code, "checkout.session.completed", status="complete",
                                        payment_status="paid"))  # fmt: skip
    order = plain(shop.client.get(f"/api/v1/orders/{code}?secret={secret}").json())
    assert order["items"][0]["label"] == NAME
    page = shop.client.get(f"/orders/{code}/?secret={secret}").content.decode()
    assert NAME in page and KEY_LABEL not in page
    [email] = [m for m in mail.outbox if code in m.subject]
    assert KEY_LABEL not in email.body
    owner = signed_in_client(shop.organizer, owner_of(shop.organizer))
    csv = b"".join(owner.get("/api/v1/orders.csv").streaming_content).decode()
    assert NAME in csv and KEY_LABEL not in csv
    console = owner.get(f"/console/orders/{code}/").content.decode()
    assert NAME in console and KEY_LABEL not in console
