"""The console offers what the services allow, from the same definitions: the status changes of
an event (events.services.events.TRANSITIONS) and the seat-map version a new event uses
(seatmaps.selectors.latest_version), so the console and the API cannot disagree."""

import re

import pytest
from django_tenants.utils import schema_context

from boxoffice.events.models import Event
from boxoffice.events.services.events import TRANSITIONS
from seatmaps.models import SeatMap
from seatmaps.services import create_seat_map, create_venue
from tests.builders.events import ACTOR
from tests.builders.organizers import owner_of, signed_in_client
from tests.builders.payments import make_shop

pytestmark = pytest.mark.django_db


def _offered(page: str, event: Event) -> set[str]:
    return set(re.findall(rf'action="/console/events/{event.uid}/(\w+)/"', page))


@pytest.mark.parametrize("status", [status for status, _label in Event.Status.choices])
def test_the_event_page_offers_exactly_the_allowed_status_changes(status):
    shop = make_shop()
    owner = signed_in_client(shop.organizer, owner_of(shop.organizer))
    with shop.schema():
        Event.objects.filter(pk=shop.event.pk).update(status=status)
    page = owner.get(f"/console/events/{shop.event.uid}/").content.decode()
    allowed = {action for action, (sources, _target) in TRANSITIONS.items() if status in sources}
    assert _offered(page, shop.event) - {"prices", "seats", "edit"} == allowed
    # And each one offered works.
    for action in sorted(allowed - {"cancel"})[:1]:
        owner.post(f"/console/events/{shop.event.uid}/{action}/")
        with shop.schema():
            assert Event.objects.get(pk=shop.event.pk).status == TRANSITIONS[action][1]


def test_a_map_never_published_gets_the_same_answer_from_api_and_console():
    shop = make_shop()
    owner = signed_in_client(shop.organizer, owner_of(shop.organizer))
    with shop.schema():
        venue = create_venue(actor=ACTOR, name="Annex", timezone_name="Europe/Lisbon")
        draft = create_seat_map(actor=ACTOR, venue=venue, name="Studio")
    answer = owner.post(
        "/api/v1/events",
        {
            "title": "Try-out",
            "seat_map": draft.uid,
            "starts_at": "2030-05-01T20:00:00+01:00",
            "ends_at": "2030-05-01T22:00:00+01:00",
        },
        content_type="application/json",
    )
    assert answer.status_code == 422
    assert answer.json()["code"] == "seat_map_unpublished"
    # The console lists only published maps, so the draft cannot even be chosen there.
    form = owner.get("/console/events/new/").content.decode()
    assert draft.uid not in form
    with schema_context(shop.organizer.schema_name):
        assert not Event.objects.filter(title="Try-out").exists()
        assert SeatMap.objects.filter(uid=draft.uid).exists()
