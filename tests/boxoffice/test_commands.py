"""Management commands: create_organizer and the idempotent demo seed."""

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django_tenants.utils import schema_context

from boxoffice.events.models import Event
from seatmaps.models import SeatMapVersion
from tenants.models import Domain, Membership, Organizer, User
from tenants.roles import Role


def test_create_organizer_command(db, capsys):
    call_command(
        "create_organizer", "night-owls", "--name", "Night Owls", "--owner-email",
        "owl@example.com", "--owner-password", "a long enough passphrase",
    )  # fmt: skip
    organizer = Organizer.objects.get(slug="night-owls")
    assert organizer.schema_name == "org_night_owls"
    assert Domain.objects.filter(tenant=organizer, domain="night-owls.localhost").exists()
    assert Membership.objects.get(organizer=organizer).role == Role.OWNER
    assert "night-owls.localhost" in capsys.readouterr().out

    with pytest.raises(CommandError, match="slug_taken"):
        call_command(
            "create_organizer", "night-owls", "--name", "Again", "--owner-email", "x@example.com"
        )
    assert not User.objects.filter(email="x@example.com").exists()


def test_seed_demo_is_idempotent_and_prints_working_credentials(db, tmp_path, capsys, client):
    with override_settings(DATA_DIR=tmp_path):
        call_command("seed_demo")
        first = capsys.readouterr().out
        call_command("seed_demo")
        second = capsys.readouterr().out

    assert Organizer.objects.filter(slug="demo").count() == 1
    demo = Organizer.objects.get(slug="demo")
    with schema_context(demo.schema_name):
        version = SeatMapVersion.objects.get()  # the theatre, published once
        assert version.seat_count > 1000
        assert version.seat_map.venue.name == "Demo Theatre"
        hamlet = Event.objects.get(slug="hamlet")
        assert hamlet.status == "on_sale"
        assert hamlet.seats.count() == version.seat_count
    listed = client.get("/api/v1/events", HTTP_HOST="demo.localhost").json()
    assert [event["title"] for event in listed["items"]] == ["Hamlet"]
    password = first.split("owner@demo.localhost / ")[1].split()[0]
    assert f"owner@demo.localhost / {password}" in second
    signed_in = client.post(
        "/login/",
        {"username": "owner@demo.localhost", "password": password},
        HTTP_HOST="demo.localhost",
    )
    assert signed_in.status_code == 302
