"""Gates scanning one ticket at the same instant on the real database: admitted once."""

import secrets

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from checkin.models import Admission, CheckinList, Device, Scan
from checkin.services.scans import scan_ticket
from tests.builders.checkin import make_door
from tests.builders.events import on_sale_event
from tests.builders.orders import paid_order
from tests.builders.races import race


@pytest.fixture
def racing_door(committed_organizer):
    organizer = committed_organizer("gates")
    event = on_sale_event(organizer, rows=1, seats=6)
    door = make_door(organizer, event, devices=4)
    _order, tickets = paid_order(organizer, event, [f"stalls/A/{n}" for n in range(1, 6)])
    connection.set_schema_to_public()
    return organizer, door, tickets


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_threads_scanning_one_ticket_admit_it_once(racing_door):
    organizer, door, tickets = racing_door
    with schema_context(organizer.schema_name):
        checkin_list = CheckinList.objects.get(uid=door.list_id)
        devices = list(Device.objects.filter(uid__in=door.devices))

    def contend(ticket, contenders: int) -> list[str]:
        def gate(index: int) -> str:
            return scan_ticket(
                device=devices[index],
                checkin_list=checkin_list,
                payload=ticket.payload,
                nonce=secrets.token_hex(8),
                scanned_at=timezone.now(),
            ).scan.verdict

        return race(gate, contenders, schema=organizer.schema_name, timeout=60)

    for ticket, contenders in zip(tickets, (2, 2, 3, 4, 4), strict=True):
        verdicts = contend(ticket, contenders)
        assert sorted(verdicts) == ["already_admitted"] * (contenders - 1) + ["ok"]
    with schema_context(organizer.schema_name):
        assert Admission.objects.count() == len(tickets)
        assert Scan.objects.filter(verdict="ok").count() == len(tickets)
        assert all(admission.entries == 1 for admission in Admission.objects.all())
