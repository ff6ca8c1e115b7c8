"""Query counts pinned on the door's hot paths: an online scan (`POST …/scans`) and the offline
manifest (`GET …/manifest`, full and by cursor), through the API as a device calls them.

Each count is today's, statement by statement, so a change that adds a query per scan or per
manifest fails here and says so. The counts include the tenant's `SET search_path` and, as the
test runs inside a transaction, the scan's SAVEPOINT and RELEASE."""

from django.utils import timezone
from django_tenants.utils import schema_context

from checkin.models import Device
from tests.builders.checkin import make_door, manifest, scan
from tests.builders.events import on_sale_event
from tests.builders.orders import paid_order
from tests.builders.organizers import make_organizer

# search_path, device by token, the list, the stored answer for the nonce (replays), SAVEPOINT,
# the signing key, the ticket, the admission INSERT … ON CONFLICT, the scan INSERT, the
# admission's first and last scan, RELEASE.
ADMITTED_SCAN = 11
# The same up to the admission INSERT, which conflicts; then the admission row FOR UPDATE, the
# winning first entry (where and when, for the screen), the scan INSERT, RELEASE.
ALREADY_ADMITTED_SCAN = 12
# search_path, device by token, the list, the snapshot (next cursor), tickets, admitted set,
# public keys: the same with a cursor, the delta being a condition of the same two reads.
MANIFEST = 7


def _door_with_tickets(organizer):
    event = on_sale_event(organizer, rows=1, seats=4)
    door = make_door(organizer, event)
    _order, tickets = paid_order(organizer, event, ["stalls/A/1", "stalls/A/2"])
    client = door.device()
    # Warm what is cached per process (the host's organizer), and make the device seen just now:
    # its token's check writes `last_seen_at` at most once a minute, not in the counted calls.
    assert client.get("/api/v1/checkin/device").status_code == 200
    with schema_context(organizer.schema_name):
        Device.objects.update(last_seen_at=timezone.now())
    return door, client, tickets


def test_an_online_scan(db, django_assert_num_queries):
    organizer = make_organizer("alpha")
    door, client, tickets = _door_with_tickets(organizer)
    with django_assert_num_queries(ADMITTED_SCAN):
        first = scan(client, door.list_id, tickets[0].payload)
    assert first.status_code == 200 and first.json()["verdict"] == "ok"
    with django_assert_num_queries(ADMITTED_SCAN):
        assert scan(client, door.list_id, tickets[1].payload).json()["verdict"] == "ok"
    with django_assert_num_queries(ALREADY_ADMITTED_SCAN):
        again = scan(client, door.list_id, tickets[0].payload)
    assert again.json()["verdict"] == "already_admitted"


def test_the_manifest_full_and_by_cursor(db, django_assert_num_queries):
    organizer = make_organizer("alpha")
    door, client, tickets = _door_with_tickets(organizer)
    scan(client, door.list_id, tickets[0].payload)
    with schema_context(organizer.schema_name):
        Device.objects.update(last_seen_at=timezone.now())
    with django_assert_num_queries(MANIFEST):
        full = manifest(client, door.list_id)
    assert full.status_code == 200
    assert len(full.json()["tickets"]) == 2 and len(full.json()["admitted"]) == 1
    scan(client, door.list_id, tickets[1].payload)
    with schema_context(organizer.schema_name):
        Device.objects.update(last_seen_at=timezone.now())
    with django_assert_num_queries(MANIFEST):
        delta = manifest(client, door.list_id, full["X-Manifest-Cursor"])
    # What the delta holds is not asserted: inside one test transaction every write shares an
    # xid (test_manifest_and_sync.py checks deltas across real transactions).
    assert delta.status_code == 200 and delta.json()["full"] is False
