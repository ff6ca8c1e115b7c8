"""Fixtures for the seat-map tests."""

import pytest

from tests.builders.seatmaps import Site


@pytest.fixture
def site(db) -> Site:
    return Site("alpha")
