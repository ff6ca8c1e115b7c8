"""The OpenAPI documents of both APIs say how every operation fails and how it is authenticated,
so generated clients know the error shape and the credentials (issue 21).

ninja documents only the success answers, and our auth callables (tenants.auth, checkin.auth)
are not its built-in classes, so it names no security at all. `DocumentedAPI` builds its schema
with `DocumentedSchema`, which adds to each operation:

- the `{code, message, details}` error answer for each status the operation can give: what
  any request can get (404 unknown site or thing, 422 invalid input, 429 rate limited, 503 busy
  or a provider down; 423 on organizer sites), what a body can get (400 undecodable, 413 too
  large), what credentials can get (401, 403) and what a change can get (409 conflict);
- its security requirements: `bearerAuth` (an organizer API token), `sessionCookie` together
  with `csrfToken` (the console's session; the CSRF header on unsafe methods), `deviceToken`
  (`Authorization: Device <token>`), or none (`{}`) for public operations, which on organizer
  sites also take a member's credentials to show them more.

Its description ends with an "Error codes" section: every code of the catalogues the API serves
(boxoffice.error_codes and each app's `error_codes.py`), with what it means.
"""

from typing import Any

from django.conf import settings
from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema
from ninja.operation import Operation

from boxoffice.error_codes import ErrorCatalogue, catalogue_markdown

ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "description": "Every error answer. `code` is machine-readable and stable; `message` is for "
    "people; `details` depends on the code (e.g. `errors` for validation_error, `retry_after`).",
    "properties": {
        "code": {"type": "string", "examples": ["not_found", "validation_error"]},
        "message": {"type": "string"},
        "details": {"type": "object", "additionalProperties": True},
    },
    "required": ["code", "message", "details"],
}

ERROR_DESCRIPTIONS = {
    400: "The body is not JSON (code bad_request).",
    401: "No valid credentials (code not_authenticated).",
    403: "The credentials' role is too low, or the CSRF header is missing (code forbidden, "
    "csrf_failed).",
    404: "No such thing here, or not yours; or no such site (code not_found and others).",
    409: "The request clashes with the current state (e.g. a stale version, a taken seat).",
    413: "The body is larger than this endpoint accepts (code too_large).",
    422: "Invalid input: validation_error (details.errors lists the fields), "
    "invalid_characters, or a rule of the domain.",
    423: "The organizer's site is suspended (code organizer_suspended).",
    429: "Rate limited (code rate_limited; Retry-After header).",
    503: "Busy (code server_busy: every database connection in use) or a provider did not "
    "answer (code service_unavailable); Retry-After header.",
}

SECURITY_SCHEMES = {
    "bearerAuth": {
        "type": "http",
        "scheme": "bearer",
        "description": "An organizer API token, made by an admin at POST /api/v1/tokens.",
    },
    "sessionCookie": {
        "type": "apiKey",
        "in": "cookie",
        "name": settings.SESSION_COOKIE_NAME,
        "description": "A signed-in member's session (sign in at /login/).",
    },
    "csrfToken": {
        "type": "apiKey",
        "in": "header",
        "name": "X-CSRFToken",
        "description": "With the session, on unsafe methods: the csrftoken cookie's value.",
    },
    "deviceToken": {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": "A paired check-in device: `Device <token>` (POST "
        "/api/v1/checkin/devices/pair).",
    },
}

SESSION = {"sessionCookie": [], "csrfToken": []}
BY_AUTH_CLASS = {
    "OrganizerAuth": [{"bearerAuth": []}, SESSION],
    "PlatformStaffAuth": [SESSION],
    "DeviceAuth": [{"deviceToken": []}],
}
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def _ref(status: int) -> dict[str, Any]:
    return {
        "description": ERROR_DESCRIPTIONS[status],
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


class DocumentedSchema(OpenAPISchema):
    def operation_details(self, operation: Operation) -> dict[str, Any]:
        details = super().operation_details(operation)
        statuses = {404, 422, 503}
        if isinstance(self.api, DocumentedAPI) and self.api.organizer_site:
            statuses.add(423)
        if operation.throttle_objects:
            statuses.add(429)
        if "requestBody" in details:
            statuses |= {400, 413}
        if operation.auth_callbacks:
            statuses |= {401, 403}
        if set(operation.methods) & UNSAFE:
            statuses |= {403, 409}
        responses = details["responses"]
        for status in sorted(statuses):
            responses.setdefault(status, _ref(status))
        details["security"] = self._security(operation)
        return details

    def _security(self, operation: Operation) -> list[dict[str, list]]:
        if not operation.auth_callbacks:
            public: list[dict[str, list]] = [{}]
            if isinstance(self.api, DocumentedAPI) and self.api.organizer_site:
                public += BY_AUTH_CLASS["OrganizerAuth"]
            return public
        requirements: list[dict[str, list]] = []
        for auth in operation.auth_callbacks:
            for requirement in BY_AUTH_CLASS.get(type(auth).__name__, []):
                if requirement not in requirements:
                    requirements.append(requirement)
        return requirements

    def get_components(self) -> dict[str, Any]:
        components = super().get_components()
        components["schemas"]["Error"] = ERROR_SCHEMA
        components["securitySchemes"] = SECURITY_SCHEMES
        return components


class DocumentedAPI(NinjaAPI):
    """A NinjaAPI whose OpenAPI document has error answers and security on every operation, and
    whose description ends with the error codes of the catalogues it is given (per heading: the
    kernel's and those of the apps it serves)."""

    def __init__(
        self,
        *args: Any,
        organizer_site: bool,
        description: str,
        error_codes: dict[str, type[ErrorCatalogue]],
        **kwargs: Any,
    ) -> None:
        self.organizer_site = organizer_site
        self.error_codes = error_codes
        description = f"{description}\n\n{catalogue_markdown(error_codes)}"
        super().__init__(*args, description=description, **kwargs)

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        return DocumentedSchema(self, path_prefix)
