"""Venue CRUD under /api/v1/venues: admins edit, staff read, other organizers see nothing."""

from tests.builders.seatmaps import Site


def test_admin_creates_lists_changes_and_deletes_a_venue(site):
    created = site.post(
        "/api/v1/venues",
        {"name": " Grand Hall ", "address": "Main St 1", "city": "Utrecht", "country": "nl",
         "timezone": "Europe/Amsterdam"},
    )  # fmt: skip
    assert created.status_code == 201
    venue = created.json()
    assert venue["id"].startswith("ven_")
    assert (venue["name"], venue["country"], venue["seat_map_count"]) == ("Grand Hall", "NL", 0)

    listed = site.staff.get("/api/v1/venues").json()
    assert [v["name"] for v in listed["items"]] == ["Grand Hall"]

    changed = site.admin.patch(
        f"/api/v1/venues/{venue['id']}", {"city": "Amsterdam"}, content_type="application/json"
    )
    assert changed.status_code == 200
    assert (changed.json()["city"], changed.json()["name"]) == ("Amsterdam", "Grand Hall")

    assert site.admin.delete(f"/api/v1/venues/{venue['id']}").status_code == 204
    assert site.staff.get(f"/api/v1/venues/{venue['id']}").status_code == 404


def test_bad_venue_input_is_refused(site):
    for payload, code in [
        ({"name": "X", "country": "NLD"}, "validation_error"),
        ({"name": "X", "country": "1x"}, "invalid_country"),
        ({"name": "X", "timezone": "Moon/Base"}, "invalid_timezone"),
        ({"name": "   "}, "invalid_name"),
        ({"city": "No name"}, "validation_error"),
    ]:
        response = site.post("/api/v1/venues", payload)
        assert response.status_code == 422, payload
        assert response.json()["code"] == code
    assert site.staff.get("/api/v1/venues").json()["count"] == 0


def test_staff_may_read_but_not_edit_venues(site):
    venue_id = site.venue()
    assert site.staff.get(f"/api/v1/venues/{venue_id}").status_code == 200
    assert site.post("/api/v1/venues", {"name": "Mine"}, client=site.staff).status_code == 403
    patch = site.staff.patch(
        f"/api/v1/venues/{venue_id}", {"name": "Renamed"}, content_type="application/json"
    )
    assert patch.status_code == 403
    assert site.staff.delete(f"/api/v1/venues/{venue_id}").status_code == 403
    assert site.staff.get(f"/api/v1/venues/{venue_id}").json()["name"] == "Grand Hall"


def test_another_organizers_venue_is_404(site):
    venue_id = site.venue()
    other = Site("beta")
    response = other.admin.get(f"/api/v1/venues/{venue_id}")
    assert response.status_code == 404
    assert response.json()["code"] == "venue_not_found"
    assert other.admin.delete(f"/api/v1/venues/{venue_id}").status_code == 404
    assert other.admin.get("/api/v1/venues").json()["count"] == 0


def test_a_venue_with_seat_maps_is_kept(site):
    map_id = site.seat_map()
    venue_id = site.staff.get(f"/api/v1/seatmaps/{map_id}").json()["venue"]
    response = site.admin.delete(f"/api/v1/venues/{venue_id}")
    assert response.status_code == 409
    assert response.json()["code"] == "venue_in_use"
