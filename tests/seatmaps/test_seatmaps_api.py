"""Seat-map drafts (optimistic concurrency), operations, publishing and rendering via the API."""

import xml.etree.ElementTree as ET

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import override_settings

from seatmaps.models import SeatMap, SeatMapVersion, VersionSeat
from tests.builders.races import race
from tests.builders.seatmaps import Site, grid_document


def draft(site: Site, map_id: str) -> dict:
    response = site.staff.get(f"/api/v1/seatmaps/{map_id}/draft")
    assert response.status_code == 200
    return response.json()


def test_create_seat_map_empty_from_document_and_from_sample(site):
    empty = site.seat_map()
    assert draft(site, empty)["seat_count"] == 0
    from_document = site.seat_map(grid_document(3, 4, with_floor=True))
    body = draft(site, from_document)
    assert (body["version"], body["seat_count"], body["ga_capacity"]) == (1, 12, 500)
    sample = site.post(
        "/api/v1/seatmaps", {"venue": site.venue("Theatre"), "name": "T", "sample": "theatre"}
    )
    assert sample.status_code == 201
    assert 1000 <= draft(site, sample.json()["id"])["seat_count"] <= 1400


def test_invalid_documents_are_refused_naming_what_is_wrong(site):
    document = grid_document(2, 3).model_dump(mode="json")
    document["sections"][0]["rows"][1]["seats"][2]["label"] = "1"  # B1 twice
    document["sections"][0]["rows"][0]["seats"][1]["category"] = "vip"  # unknown
    response = site.post("/api/v1/seatmaps", {"venue": site.venue(), "name": "Bad",
                                              "document": document})  # fmt: skip
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_seat_map"
    problems = {problem["code"]: problem for problem in body["details"]["problems"]}
    assert problems["duplicate_seat"]["seats"] == ["stalls/B/1"]
    assert problems["unknown_category"]["seats"] == ["stalls/A/2"]

    malformed = site.post("/api/v1/seatmaps", {"venue": site.venue(), "name": "Bad",
                                               "document": {"sections": "nope"}})  # fmt: skip
    assert malformed.status_code == 422
    assert malformed.json()["code"] == "malformed_seat_map"
    assert SeatMap.objects.count() == 0


def test_saving_a_stale_version_is_409_and_never_overwrites(site):
    map_id = site.seat_map(grid_document(1, 2))
    mine = grid_document(1, 3).model_dump(mode="json")
    theirs = grid_document(1, 5).model_dump(mode="json")

    saved = site.put(f"/api/v1/seatmaps/{map_id}/draft", {"version": 1, "document": theirs})
    assert saved.status_code == 200
    assert saved.json()["version"] == 2

    stale = site.put(f"/api/v1/seatmaps/{map_id}/draft", {"version": 1, "document": mine})
    assert stale.status_code == 409
    assert stale.json()["code"] == "stale_version"
    assert stale.json()["details"] == {"current_version": 2}
    assert draft(site, map_id)["seat_count"] == 5


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_editors_saving_at_once_cannot_both_win():
    site = Site("race")
    try:
        map_id = site.seat_map(grid_document(1, 2))

        def save(index: int) -> int:
            seats = (3, 7)[index]
            return site.put(
                f"/api/v1/seatmaps/{map_id}/draft",
                {"version": 1, "document": grid_document(1, seats).model_dump(mode="json")},
            ).status_code

        statuses = race(save, contenders=2, timeout=60)
        assert sorted(statuses) == [200, 409]
        assert draft(site, map_id)["version"] == 2
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA IF EXISTS org_race CASCADE")


def test_operations_edit_the_draft_with_version_checks(site):
    map_id = site.seat_map(grid_document(1, 2))
    operations = site.staff.get("/api/v1/seatmaps/operations").json()
    assert {"add_section", "curve", "import_csv"} <= {op["name"] for op in operations}

    added = site.post(
        f"/api/v1/seatmaps/{map_id}/operations/add_section",
        {"version": 1, "params": {"key": "circle", "name": "Circle", "rows": 2,
                                  "seats_per_row": 10, "x": 0, "y": 600,
                                  "category": "standard"}},
    )  # fmt: skip
    assert added.status_code == 200, added.content
    assert (added.json()["version"], added.json()["seat_count"]) == (2, 22)

    stale = site.post(
        f"/api/v1/seatmaps/{map_id}/operations/delete",
        {"version": 1, "params": {"selection": {"sections": ["circle"]}}},
    )
    assert stale.status_code == 409
    unknown = site.post(f"/api/v1/seatmaps/{map_id}/operations/explode", {"version": 2})
    assert unknown.status_code == 404
    assert unknown.json()["code"] == "unknown_operation"
    bad_params = site.post(
        f"/api/v1/seatmaps/{map_id}/operations/add_section", {"version": 2, "params": {}}
    )
    assert bad_params.status_code == 422
    assert bad_params.json()["code"] == "invalid_operation_params"
    missing = site.post(
        f"/api/v1/seatmaps/{map_id}/operations/delete",
        {"version": 2, "params": {"selection": {"seats": ["circle/A/99"]}}},
    )
    assert missing.status_code == 422
    assert "circle/A/99" in missing.json()["details"]["seats"]
    assert draft(site, map_id)["version"] == 2


def test_csv_import_and_export_through_the_api(site):
    map_id = site.seat_map(grid_document(1, 2))
    csv_text = "section,row,seat,x,y,category\nbox,A,1,10,900,premium\nbox,A,2,40,900,premium\n"
    imported = site.post(
        f"/api/v1/seatmaps/{map_id}/operations/import_csv",
        {"version": 1, "params": {"csv": csv_text}},
    )
    assert imported.status_code == 200, imported.content
    assert imported.json()["seat_count"] == 4
    exported = site.staff.get(f"/api/v1/seatmaps/{map_id}/draft.csv")
    assert exported["Content-Type"] == "text/csv"
    as_json = site.staff.get(f"/api/v1/seatmaps/{map_id}/draft.json")
    assert as_json["Content-Disposition"].endswith('.json"')
    assert {section["key"] for section in as_json.json()["sections"]} == {"stalls", "box"}
    lines = exported.content.decode().strip().splitlines()
    assert len(lines) == 5
    assert any(line.startswith("box,A,2,40.0,900.0,premium") or
               line.startswith("box,A,2,40,900,premium") for line in lines)  # fmt: skip


def test_publish_freezes_normalized_seats_and_the_draft_lives_on(site):
    map_id = site.seat_map(grid_document(3, 4, with_floor=True))
    published = site.post(f"/api/v1/seatmaps/{map_id}/publish", {"version": 1})
    assert published.status_code == 201
    assert (published.json()["number"], published.json()["seat_count"]) == (1, 12)
    assert published.json()["ga_capacity"] == 500

    with site.schema():
        version = SeatMapVersion.objects.get()
        seats = {f"{s.section}/{s.row}/{s.label}": s for s in version.seats.all()}
        assert len(seats) == 12
        corner = seats["stalls/C/4"]
        assert (corner.x, corner.y, corner.category) == (190.0, 270.0, "standard")
        assert seats["stalls/A/1"].accessible
        assert version.areas.get().capacity == 500

    # Edit the draft; the version does not change, a second publish makes version 2.
    site.put(f"/api/v1/seatmaps/{map_id}/draft",
             {"version": 1, "document": grid_document(2, 2).model_dump(mode="json")})  # fmt: skip
    detail = site.staff.get(f"/api/v1/seatmaps/{map_id}/versions/1").json()
    assert detail["seat_count"] == 12
    assert len(detail["document"]["sections"][0]["rows"]) == 3
    assert site.post(f"/api/v1/seatmaps/{map_id}/publish", {}).json()["number"] == 2
    listed = site.staff.get(f"/api/v1/seatmaps/{map_id}/versions").json()
    assert [v["number"] for v in listed] == [2, 1]
    assert site.staff.get(f"/api/v1/seatmaps/{map_id}/versions/3").status_code == 404


def test_published_versions_cannot_be_changed_even_by_sql(site):
    map_id = site.seat_map(grid_document(2, 2))
    site.post(f"/api/v1/seatmaps/{map_id}/publish", {})
    with site.schema():
        for attempt in (
            lambda: VersionSeat.objects.update(category="premium"),
            lambda: VersionSeat.objects.filter(label="1").delete(),
            lambda: SeatMapVersion.objects.update(seat_count=0),
            lambda: connection.cursor().execute("DELETE FROM seatmaps_seatmapversion"),
        ):
            with pytest.raises(IntegrityError, match="immutable"), transaction.atomic():
                attempt()
        assert VersionSeat.objects.count() == 4


def test_publish_refuses_an_empty_or_stale_draft(site):
    empty = site.seat_map()
    response = site.post(f"/api/v1/seatmaps/{empty}/publish", {})
    assert (response.status_code, response.json()["code"]) == (422, "empty_map")
    map_id = site.seat_map(grid_document(1, 1))
    stale = site.post(f"/api/v1/seatmaps/{map_id}/publish", {"version": 7})
    assert stale.status_code == 409


def test_a_20000_seat_map_publishes(site):
    map_id = site.seat_map(grid_document(100, 200))
    published = site.post(f"/api/v1/seatmaps/{map_id}/publish", {})
    assert published.status_code == 201
    assert published.json()["seat_count"] == 20_000
    with site.schema():
        assert VersionSeat.objects.count() == 20_000


def test_svg_of_draft_and_version_contains_every_seat(site):
    map_id = site.seat_map(grid_document(3, 4, with_floor=True))
    site.post(f"/api/v1/seatmaps/{map_id}/publish", {})
    for path in (
        f"/api/v1/seatmaps/{map_id}/draft.svg",
        f"/api/v1/seatmaps/{map_id}/versions/1.svg",
    ):
        response = site.staff.get(path)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
        root = ET.fromstring(response.content)
        seats = {el.get("data-seat") for el in root.iter() if el.get("data-seat")}
        assert len(seats) == 12
        assert "stalls/C/4" in seats
    gzipped = site.staff.get(
        f"/api/v1/seatmaps/{map_id}/versions/1.svg", HTTP_ACCEPT_ENCODING="gzip"
    )
    assert gzipped["Content-Encoding"] == "gzip"
    assert "immutable" in gzipped["Cache-Control"]


def test_staff_may_read_but_not_edit_or_publish(site):
    map_id = site.seat_map(grid_document(1, 2))
    document = grid_document(1, 3).model_dump(mode="json")
    assert site.put(f"/api/v1/seatmaps/{map_id}/draft", {"version": 1, "document": document},
                    client=site.staff).status_code == 403  # fmt: skip
    assert site.post(f"/api/v1/seatmaps/{map_id}/operations/delete",
                     {"version": 1, "params": {"selection": {"sections": ["stalls"]}}},
                     client=site.staff).status_code == 403  # fmt: skip
    assert site.post(f"/api/v1/seatmaps/{map_id}/publish", {}, client=site.staff).status_code == 403
    assert site.post("/api/v1/seatmaps", {"venue": site.venue(), "name": "x"},
                     client=site.staff).status_code == 403  # fmt: skip
    assert draft(site, map_id)["version"] == 1


def test_another_organizers_seat_map_is_404(site):
    map_id = site.seat_map(grid_document(1, 2))
    other = Site("beta")
    for path in (
        f"/api/v1/seatmaps/{map_id}",
        f"/api/v1/seatmaps/{map_id}/draft",
        f"/api/v1/seatmaps/{map_id}/draft.svg",
        f"/api/v1/seatmaps/{map_id}/versions",
    ):
        response = other.admin.get(path)
        assert response.status_code == 404, path
        assert response.json()["code"] == "seat_map_not_found"
    response = other.post(f"/api/v1/seatmaps/{map_id}/publish", {})
    assert response.status_code == 404


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=2_000)
def test_oversized_documents_are_413(site):
    map_id = site.seat_map()
    big = grid_document(5, 20).model_dump(mode="json")
    response = site.put(f"/api/v1/seatmaps/{map_id}/draft", {"version": 1, "document": big})
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
