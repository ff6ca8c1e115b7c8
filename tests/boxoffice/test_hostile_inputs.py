"""Bad input is a 4xx in the one error shape, never a 500 (issue 21, point 5).

Each kind of value has one parser (boxoffice.inputs); these tests send what broke it.
"""

import json

import pytest
from django.test import Client

from tenants.roles import Role
from tests.builders.checkin import make_door
from tests.builders.organizers import host_of, make_member, signed_in_client
from tests.builders.payments import make_shop

SHAPE = {"code", "message", "details"}
PAST_BIGINT = str(2**63)


def assert_refused(response, status: int | tuple[int, ...]) -> dict:
    statuses = status if isinstance(status, tuple) else (status,)
    assert response.status_code in statuses, (response.status_code, response.content[:500])
    body = response.json()
    assert set(body) == SHAPE, body
    return body


@pytest.fixture
def shop(db):
    return make_shop()


@pytest.fixture
def admin(shop):
    return signed_in_client(shop.organizer, make_member(shop.organizer, Role.ADMIN))


@pytest.mark.parametrize(
    "query", [f"offset={PAST_BIGINT}", f"limit={PAST_BIGINT}", f"offset=1{PAST_BIGINT}"]
)
def test_pagination_past_bigint_is_422(shop, admin, platform_client, query):
    assert_refused(shop.client.get(f"/api/v1/events?{query}"), 422)
    assert_refused(admin.get(f"/api/v1/audit?{query}"), 422)
    assert_refused(admin.get(f"/api/v1/venues?{query}"), 422)


def test_pagination_at_bigint_is_an_empty_page(shop):
    answer = shop.client.get(f"/api/v1/events?offset={2**63 - 1}")
    assert answer.status_code == 200, answer.content
    assert answer.json()["items"] == []


@pytest.mark.parametrize(
    "moment",
    [
        "0001-01-01T00:00:00+14:00",  # UTC is in year 0
        "9999-12-31T23:59:59-14:00",  # UTC is in year 10000
        "2026-06-01T20:00:00+23:59",  # PostgreSQL stores offsets up to 15:59
        "0001-01-01T00:00:00",  # naive: read in the venue's zone, before year 1 in UTC
        "9999-12-31T23:59:59",
    ],
)
def test_listing_filters_with_unstorable_datetimes_are_422(shop, moment):
    for name in ("starts_after", "starts_before"):
        answer = shop.client.get("/api/v1/events", {name: moment})
        body = assert_refused(answer, 422)
        assert body["code"] == "validation_error"


def test_listing_filter_with_a_far_offset_that_postgres_can_store_works(shop):
    answer = shop.client.get("/api/v1/events", {"starts_after": "2020-01-01T00:00:00+14:00"})
    assert answer.status_code == 200
    assert answer.json()["count"] == 1


@pytest.mark.parametrize(
    "moment", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "2026-06-01T20:00+20:00"]
)
def test_scans_and_offline_batches_with_unstorable_datetimes_are_422(shop, moment):
    door = make_door(shop.organizer, shop.event)
    device = door.device()
    one = device.post(
        f"/api/v1/checkin/lists/{door.list_id}/scans",
        {"payload": "x", "nonce": "n" * 16, "scanned_at": moment},
        content_type="application/json",
    )
    assert_refused(one, 422)
    scan = {"payload": "x", "nonce": "m" * 16, "scanned_at": "2026-06-01T20:00:00Z"}
    for batch in (
        {"scans": [scan | {"scanned_at": moment}]},
        {"scans": [scan], "device_time": moment},
    ):
        answer = device.post(
            f"/api/v1/checkin/lists/{door.list_id}/scans/batch",
            batch,
            content_type="application/json",
        )
        assert_refused(answer, 422)


def test_offline_batch_from_a_device_clock_centuries_off_is_not_a_500(shop):
    door = make_door(shop.organizer, shop.event)
    answer = door.device().post(
        f"/api/v1/checkin/lists/{door.list_id}/scans/batch",
        {
            "device_time": "1900-01-01T00:00:00Z",
            "scans": [{"payload": "x", "nonce": "q" * 16, "scanned_at": "9000-01-01T00:00:00Z"}],
        },
        content_type="application/json",
    )
    assert answer.status_code in (200, 422), answer.content


SECRETS = ["é", "ünïcødé-secret", "秘密", "\U0001f600" * 30]


@pytest.mark.parametrize("secret", SECRETS)
def test_non_ascii_secret_is_a_wrong_secret_on_pages_and_apis(shop, secret):
    order = shop.checkout("stalls/B/1")
    code = order["order_code"]
    client = shop.client
    for existing in (code, "ZZZZ2345"):
        for path in (f"/api/v1/orders/{existing}", f"/api/v1/orders/{existing}/cancel"):
            call = client.post if path.endswith("cancel") else client.get
            query = f"?secret={secret}"
            answer = call(path + query)
            assert assert_refused(answer, 404)["code"] == "order_not_found", path
        for page in (
            f"/orders/{existing}/",
            f"/orders/{existing}/tickets",
            f"/orders/{existing}/event.ics",
        ):
            assert client.get(page, {"secret": secret}).status_code == 404, page
        assert client.post(f"/orders/{existing}/cancel?secret={secret}").status_code in (
            403,
            404,
        )


@pytest.mark.parametrize("code", ["ABC%00DEF", "%00", "AB%00", "%C0%80"])
def test_nul_in_html_order_paths_is_404(shop, code):
    client = Client(HTTP_HOST=host_of(shop.organizer))
    for page in (f"/orders/{code}/", f"/orders/{code}/tickets", f"/orders/{code}/event.ics"):
        assert client.get(page, {"secret": "x"}).status_code == 404, page
    assert assert_refused(client.get(f"/api/v1/orders/{code}?secret=x"), 404)


def test_nul_in_console_order_paths_is_404(shop, admin):
    assert admin.get("/console/orders/AB%00CD/").status_code == 404


def test_nul_in_api_order_path_for_staff_is_404(shop, admin):
    assert_refused(admin.get("/api/v1/orders/AB%00CD"), 404)


@pytest.mark.parametrize("text", ['"\\ud800"', '"a\\udfffb"', '"\\udc00\\ud800"'])
def test_lone_surrogates_in_json_bodies_are_refused(shop, admin, text, platform_client):
    body = '{"name": ' + text + ', "role": "staff"}'
    answer = admin.post("/api/v1/tokens", body, content_type="application/json")
    assert assert_refused(answer, (400, 422))["code"] == "invalid_characters"
    signup = '{"slug": "x1", "name": ' + text + ', "email": "a@example.com", "password": "x" }'
    answer = platform_client.post("/api/platform/signup", signup, content_type="application/json")
    assert assert_refused(answer, (400, 422))["code"] == "invalid_characters"
    hold = shop.client.post(
        f"/api/v1/events/{shop.event.uid}/holds",
        '{"seats": [' + text + "]}",
        content_type="application/json",
    )
    assert_refused(hold, (400, 422))


def test_a_valid_surrogate_pair_is_an_ordinary_character(shop, admin):
    answer = admin.post(
        "/api/v1/tokens", '{"name": "door \\ud83d\\ude00"}', content_type="application/json"
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["name"] == "door \U0001f600"


def _first_venue(admin) -> dict:
    return admin.get("/api/v1/venues").json()["items"][0]


def _patch(client, path: str, body: dict):
    return client.patch(path, json.dumps(body), content_type="application/json")


def test_nulls_in_patch_bodies_are_422(shop, admin):
    venue = _first_venue(admin)
    for field in ("name", "city", "country", "timezone", "address"):
        answer = _patch(admin, f"/api/v1/venues/{venue['id']}", {field: None})
        assert assert_refused(answer, 422)["code"] == "validation_error", field
    event = shop.event.uid
    for field in ("title", "starts_at", "ends_at", "max_seats_per_order", "hold_minutes"):
        answer = _patch(admin, f"/api/v1/events/{event}", {field: None})
        assert assert_refused(answer, 422)["code"] == "validation_error", field
    seat_map = admin.get("/api/v1/seatmaps").json()["items"][0]["id"]
    assert_refused(_patch(admin, f"/api/v1/seatmaps/{seat_map}", {"name": None}), 422)
    door = make_door(shop.organizer, shop.event)
    for field in ("name", "categories", "allow_reentry"):
        answer = _patch(admin, f"/api/v1/checkin/lists/{door.list_id}", {field: None})
        assert_refused(answer, 422)
    for field in ("name", "gate", "lists"):
        answer = _patch(admin, f"/api/v1/checkin/devices/{door.devices[0]}", {field: None})
        assert_refused(answer, 422)


def test_documented_nullable_patch_fields_clear(shop, admin):
    answer = _patch(admin, f"/api/v1/events/{shop.event.uid}", {"sales_end": None})
    assert answer.status_code == 200, answer.content
    assert answer.json()["sales_end"] is None


@pytest.mark.parametrize(
    "cursor",
    [
        "s1.9223372036854775807:9223372036854775807:",
        "s1.99999999999999999999:99999999999999999999:",
        "s1.10:5:",
        "s1.5:10:7,3,20",
    ],
)
def test_impossible_manifest_cursor_is_422(shop, cursor):
    door = make_door(shop.organizer, shop.event)
    answer = door.device().get(f"/api/v1/checkin/lists/{door.list_id}/manifest", {"cursor": cursor})
    assert assert_refused(answer, 422)["code"] == "invalid_cursor"


def test_console_order_list_offset_past_bigint_is_the_first_page(shop, admin):
    shop.checkout("stalls/B/1")
    answer = admin.get("/console/orders/", {"offset": PAST_BIGINT})
    assert answer.status_code == 200
    assert b"Ana Lima" in answer.content or b"ana@example.com" in answer.content


@pytest.mark.parametrize("path", ["/", "/console/orders/", "/api/v1/events", "/api/v1/orders"])
def test_nul_in_query_strings_is_dropped(shop, admin, path):
    answer = admin.get(path, {"q": "Opening\x00 night", "c\x00ity": "x"})
    assert answer.status_code == 200, answer.content[:300]


def test_nul_in_api_paths_is_404(shop):
    assert_refused(shop.client.get(f"/api/v1/events/{shop.event.uid}%00"), 404)


@pytest.mark.parametrize("field", ["value", "max_uses"])
def test_numbers_past_their_column_are_422(shop, admin, field):
    body = {"code": "BIG", "kind": "fixed", "value": 100, field: 2**40}
    answer = admin.post(
        f"/api/v1/events/{shop.event.uid}/promo-codes", body, content_type="application/json"
    )
    assert assert_refused(answer, 422)["code"] == "out_of_range"
