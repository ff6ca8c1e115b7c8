"""Two signups racing for one slug: one wins, the other gets 409, nothing half-made remains."""

import threading

import pytest
from django.db import connection, connections

from boxoffice.errors import Conflict
from tenants import services
from tenants.models import Organizer, User
from tests.builders.organizers import PASSWORD


def drop_schema(name: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_signups_for_one_slug():
    contenders = 4
    barrier = threading.Barrier(contenders)
    outcomes: dict[int, object] = {}

    def sign_up(index: int) -> None:
        try:
            barrier.wait()
            organizer = services.sign_up_organizer(
                slug="race-day",
                name=f"Contender {index}",
                email=f"contender{index}@example.com",
                password=PASSWORD,
            )
            outcomes[index] = organizer.name
        except Conflict as exc:
            outcomes[index] = exc.code
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sign_up, args=(i,)) for i in range(contenders)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

        winners = [name for name in outcomes.values() if name != "slug_taken"]
        assert len(outcomes) == contenders
        assert len(winners) == 1, outcomes
        organizer = Organizer.objects.get(slug="race-day")
        assert organizer.name == winners[0]
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_namespace WHERE nspname = 'org_race_day'")
            assert cursor.fetchone()[0] == 1
        # Only the winner's account exists: each loser's new user went down with its signup.
        assert User.objects.filter(email__startswith="contender").count() == 1
    finally:
        drop_schema("org_race_day")
