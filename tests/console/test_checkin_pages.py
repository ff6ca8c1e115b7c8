"""Check-in in the console: lists and devices made from forms (pairing code and QR shown once),
revocation, live counts, scans with overrides by supervisors only."""

import re

import pytest
from django.test import Client

from checkin.models import CheckinList, Device
from tenants.roles import Role
from tests.builders.checkin import make_door, scan
from tests.builders.events import on_sale_event
from tests.builders.orders import paid_order
from tests.builders.organizers import (
    host_of,
    make_member,
    make_organizer,
    owner_of,
    signed_in_client,
)

pytestmark = pytest.mark.django_db


def test_an_admin_makes_a_list_and_a_device_that_pairs_with_the_code_shown():
    alpha = make_organizer("alpha")
    event = on_sale_event(alpha, rows=1, seats=4)
    owner = signed_in_client(alpha, owner_of(alpha))
    answer = owner.post(
        "/console/checkin/",
        {"create_list": "1", "list-event": event.uid, "list-name": "Front door",
         "list-categories": ""},
    )  # fmt: skip
    assert answer.status_code == 302
    checkin_list = CheckinList.objects.get(name="Front door")
    page = owner.post(
        "/console/checkin/",
        {"create_device": "1", "device-name": "Phone A", "device-gate": "North",
         "device-lists": [checkin_list.uid]},
    ).content.decode()  # fmt: skip
    code = re.search(r"data-pairing-code>([^<]+)<", page).group(1)
    assert "<svg" in page and "/checkin/pair?code=" in page
    paired = Client(HTTP_HOST=host_of(alpha)).post(
        "/api/v1/checkin/devices/pair", {"code": code}, content_type="application/json"
    )
    assert paired.status_code == 200
    device = Device.objects.get(name="Phone A")
    assert "paired" in owner.get("/console/checkin/").content.decode()
    owner.post(f"/console/checkin/devices/{device.uid}/revoke/")
    device.refresh_from_db()
    assert device.revoked_at is not None


def test_staff_see_lists_and_counts_but_not_devices_and_only_supervisors_override():
    alpha = make_organizer("alpha")
    event = on_sale_event(alpha, rows=1, seats=4)
    door = make_door(alpha, event)
    _order, (ticket,) = paid_order(alpha, event, ["stalls/A/1"])
    assert scan(door.device(), door.list_id, ticket.payload).json()["verdict"] == "ok"
    denied = scan(door.device(), door.list_id, ticket.payload).json()
    staff = signed_in_client(alpha, make_member(alpha, Role.STAFF))
    home = staff.get("/console/checkin/").content.decode()
    assert "Main door" in home and "Phone 1" not in home
    assert staff.post("/console/checkin/", {"create_list": "1"}).status_code == 403
    page = staff.get(f"/console/checkin/lists/{door.list_id}/").content.decode()
    assert re.search(r"data-count-admitted>1<", page)
    assert "already_admitted" in page and "Admit</button>" not in page
    override = f"/console/checkin/lists/{door.list_id}/scans/{denied['id']}/override/"
    staff.post(override, {"reason": "let in"})
    supervisor = signed_in_client(alpha, make_member(alpha, Role.STAFF, is_supervisor=True))
    assert (
        "Admit</button>"
        in supervisor.get(f"/console/checkin/lists/{door.list_id}/").content.decode()
    )
    supervisor.post(override, {"reason": "the director's guest"})
    after = supervisor.get(f"/console/checkin/lists/{door.list_id}/").content.decode()
    assert "Admitted by override." in after
    counts = supervisor.get(
        f"/console/checkin/lists/{door.list_id}/", HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="live-counts",
    ).content.decode()  # fmt: skip
    assert "<html" not in counts and "data-count-tickets>1<" in counts
