"""Two signups racing for one slug: one wins, the other gets 409, nothing half-made remains."""

import pytest
from django.db import connection

from boxoffice.errors import Conflict
from tenants import services
from tenants.models import Organizer, User
from tests.builders.organizers import PASSWORD
from tests.builders.races import race


def drop_schema(name: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_signups_for_one_slug():
    contenders = 4

    def sign_up(index: int) -> str:
        return services.sign_up_organizer(
            slug="race-day",
            name=f"Contender {index}",
            email=f"contender{index}@example.com",
            password=PASSWORD,
        ).name

    try:
        outcomes = dict(enumerate(race(sign_up, contenders, expected=(Conflict,), timeout=60)))
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
