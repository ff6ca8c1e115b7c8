"""Which organizer a host means and which event an id or slug means are each decided once
(tenants.selectors.hostname_of / organizer_for_host, events.selectors.find_event): the pages and
APIs, the availability stream and the hold path's raw SQL agree, at the edges too."""

import pytest
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from boxoffice.events.models import Event
from boxoffice.events.selectors import event_by_id
from boxoffice.sales import selectors as sales_selectors
from boxoffice.sales.services import holds
from boxoffice.shop import stream
from tenants.selectors import hostname_of
from tests.builders.events import on_sale_event
from tests.builders.organizers import host_of, make_organizer


@pytest.fixture
def committed():
    """The stream closes its connection after each lookup (a stream lives for minutes), so
    these tests commit for real and drop their organizers' schemas after."""
    yield
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA IF EXISTS org_hosts CASCADE")
        cursor.execute("DROP SCHEMA IF EXISTS org_lookups CASCADE")


@pytest.mark.parametrize(
    ("host", "hostname"),
    [
        ("demo.localhost", "demo.localhost"),
        ("DEMO.localhost:8000", "demo.localhost"),
        ("www.demo.localhost", "demo.localhost"),
        ("demo.localhost.", "demo.localhost"),
        ("[::1]:8000", "[::1]"),
        ("demo localhost", ""),
    ],
)
def test_a_host_header_names_one_site(host, hostname):
    assert hostname_of(host) == hostname


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("spelling", ["{host}", "www.{host}", "{HOST}:8000", "{host}."])
def test_pages_and_the_stream_find_the_same_organizer_for_each_spelling(committed, spelling):
    organizer = make_organizer("hosts")
    event = on_sale_event(organizer, rows=1, seats=2)
    connection.set_schema_to_public()
    host = spelling.format(host=host_of(organizer), HOST=host_of(organizer).upper())
    page = Client(HTTP_HOST=host).get(f"/events/{event.slug}/")
    assert page.status_code == 200, (host, page.status_code)
    stream._lookups.clear()
    assert stream._find(stream._host({"headers": [(b"host", host.encode())]}), event.slug) == (
        organizer.schema_name,
        event.pk,
    )


@pytest.mark.django_db(transaction=True)
def test_an_id_wins_over_another_events_slug_on_every_path(committed):
    """Event B's slug spells event A's id: every lookup of that text finds A."""
    organizer = make_organizer("lookups")
    first = on_sale_event(organizer, rows=1, seats=4, title="First")
    second = on_sale_event(organizer, rows=1, seats=4, title="Second")
    with schema_context(organizer.schema_name):
        Event.objects.filter(pk=second.pk).update(slug=first.uid)
        assert event_by_id(first.uid).pk == first.pk
        assert sales_selectors.find_event_for_holds(first.uid).pk == first.pk
        hold, _token, _seats = holds.start_hold_with_seats(event_id=first.uid, refs=["stalls/A/1"])
        assert hold.event_id == first.pk
        # And by its own slug the second is found on every path.
        assert event_by_id(second.uid).pk == second.pk
        assert sales_selectors.find_event_for_holds(second.uid).pk == second.pk
    connection.set_schema_to_public()
    stream._lookups.clear()
    assert stream._find(host_of(organizer), first.uid) == (organizer.schema_name, first.pk)
