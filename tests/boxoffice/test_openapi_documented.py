"""Every operation of both OpenAPI documents declares its error answers (the one error shape)
and its security, so generated clients know them (issue 21)."""

import pytest
from django.test import Client

from boxoffice.error_codes import ErrorCode as KernelCode
from tests.boxoffice.test_error_codes import catalogues
from tests.builders.organizers import host_of, make_organizer

ERROR_REF = "#/components/schemas/Error"
METHODS = {"get", "post", "put", "patch", "delete"}


def _spec(site: str) -> dict:
    if site == "organizer":
        return Client(HTTP_HOST=host_of(make_organizer("alpha"))).get("/api/v1/openapi.json").json()
    return Client(HTTP_HOST="localhost").get("/api/platform/openapi.json").json()


@pytest.mark.parametrize("site", ["organizer", "platform"])
def test_every_operation_declares_errors_and_security(db, site):
    spec = _spec(site)
    error = spec["components"]["schemas"]["Error"]
    assert error["required"] == ["code", "message", "details"]
    schemes = spec["components"]["securitySchemes"]
    operations = [
        (path, method, operation)
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]
    assert len(operations) > (50 if site == "organizer" else 5)
    for path, method, operation in operations:
        where = f"{method.upper()} {path}"
        errors = {
            int(status): answer
            for status, answer in operation["responses"].items()
            if int(status) >= 400
        }
        assert {404, 422, 503} <= set(errors), where
        for answer in errors.values():
            assert answer["content"]["application/json"]["schema"]["$ref"] == ERROR_REF, where
        if operation.get("requestBody"):
            assert {400, 413} <= set(errors), where
        assert operation["security"], where
        for requirement in operation["security"]:
            assert set(requirement) <= set(schemes), where
        if method != "get":
            assert 409 in errors, where


def test_the_schemes_say_how_to_authenticate(db):
    spec = _spec("organizer")
    schemes = spec["components"]["securitySchemes"]
    assert schemes["bearerAuth"] == schemes["bearerAuth"] | {"type": "http", "scheme": "bearer"}
    assert schemes["csrfToken"]["name"] == "X-CSRFToken"
    assert schemes["sessionCookie"]["in"] == "cookie"
    assert "Device <token>" in schemes["deviceToken"]["description"]
    paths = spec["paths"]
    tokens = paths["/api/v1/tokens"]["post"]
    assert {"bearerAuth": []} in tokens["security"]
    assert {"sessionCookie": [], "csrfToken": []} in tokens["security"]
    assert {401, 403} <= {int(status) for status in tokens["responses"]}
    manifest = paths["/api/v1/checkin/lists/{list_id}/manifest"]["get"]
    assert {"deviceToken": []} in manifest["security"]
    listing = paths["/api/v1/events"]["get"]
    assert {} in listing["security"]  # public; members' credentials show them more
    holds = paths["/api/v1/events/{event_id}/holds"]["post"]
    assert 429 in {int(status) for status in holds["responses"]}
    platform = _spec("platform")["paths"]
    assert platform["/api/platform/signup"]["post"]["security"] == [{}]
    assert platform["/api/platform/organizers"]["get"]["security"] == [
        {"sessionCookie": [], "csrfToken": []}
    ]


def test_every_error_code_is_listed_in_a_description(db):
    """Each catalogue's codes, with their meaning, are in the description of an API that serves
    its app; the kernel's in both."""
    described = [_spec(site)["info"]["description"] for site in ("organizer", "platform")]
    for description in described:
        assert "## Error codes" in description
        for member in KernelCode:
            assert f"`{member}` — {member.meaning}" in description, member
    missing = [
        f"{module}: {member}"
        for module, found in catalogues().items()
        for catalogue in found
        for member in catalogue
        if not any(f"`{member}` — {member.meaning}" in text for text in described)
    ]
    assert missing == [], "codes no API description lists:\n" + "\n".join(missing)
