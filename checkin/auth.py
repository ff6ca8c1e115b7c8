"""`Authorization: Device <token>`: a paired check-in device of this organizer (tokens live in
the organizer's schema, so another organizer's site does not know them)."""

from django.http import HttpRequest

from boxoffice.actors import Actor
from checkin.services.devices import authenticate_device, device_actor


class DeviceAuth:
    openapi_type = "http"

    def __call__(self, request: HttpRequest) -> Actor | None:
        scheme, _, credential = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "device" or not credential:
            return None
        device = authenticate_device(raw=credential.strip())
        if device is None:
            return None
        request.device = device  # type: ignore[attr-defined]
        return device_actor(device)
