"""Best available on the sample theatre (seatmaps/samples.py) over the hold API picks what a
box-office manager would sell first (issue 21, point 7): the middle of the first standard row
of the centre block, not the front corner of an angled side block, and row B before row A."""

import pytest
from django.test import Client

from seatmaps.samples import load_sample
from tests.builders.events import on_sale_event
from tests.builders.organizers import host_of, make_organizer


@pytest.fixture
def theatre(db):
    organizer = make_organizer("alpha")
    event = on_sale_event(organizer, document=load_sample("theatre"))
    return Client(HTTP_HOST=host_of(organizer)), event


def best(theatre, category: str, quantity: int) -> list[str]:
    client, event = theatre
    wanted = {"category": category, "quantity": quantity}
    answer = client.post(f"/api/v1/events/{event.uid}/holds", {"best_available": wanted},
                         content_type="application/json")  # fmt: skip
    assert answer.status_code == 201, answer.content
    assert answer.json()["together"] is True
    return [seat["ref"] for seat in answer.json()["seats"]]


def test_standard_pair_gets_the_centre_of_the_first_standard_row(theatre):
    # Plain distance to the focal point chose stalls-l/A/3 + stalls-l/A/1 here.
    assert best(theatre, "standard", 2) == ["stalls-c/J/108", "stalls-c/J/109"]
    # Then the row fills from the middle outwards, and the centre block before the side blocks.
    following = [best(theatre, "standard", 2) for _ in range(5)]
    assert following[:2] == [["stalls-c/J/106", "stalls-c/J/107"],
                             ["stalls-c/J/110", "stalls-c/J/111"]]  # fmt: skip
    assert all(ref.startswith("stalls-c/") for pair in following for ref in pair)


def test_premium_pair_gets_row_b_before_the_front_row(theatre):
    # Plain distance chose stalls-c/A/108 + stalls-c/A/109.
    assert best(theatre, "premium", 2) == ["stalls-c/B/108", "stalls-c/B/109"]
