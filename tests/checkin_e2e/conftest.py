"""Browser tests of the check-in app, on the shop's browser harness (tests/e2e/conftest.py:
Debian's chromium through Playwright, the ASGI app in a thread): a door with paired-to-be
devices, tickets sold, and a second chromium fed by a fake camera for the camera path.

Screenshots land in tests/e2e/artifacts/ (git-ignored) as `checkin-*.png`."""

from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.test import Client
from PIL import Image

from boxoffice.tickets.qr import qr_png
from tenants.roles import Role
from tests.builders.orders import paid_order
from tests.builders.organizers import host_of, make_member, signed_in_client
from tests.e2e import conftest as e2e
from tests.e2e.conftest import CHROMIUM, CHROMIUM_FLAGS, in_database

# The shop's browser fixtures, shared (one harness for every browser test).
asgi_server, browser, new_page, shop = e2e.asgi_server, e2e.browser, e2e.new_page, e2e.shop


@dataclass
class Door:
    url: str
    organizer: object
    event: object
    list_id: str
    pairing_codes: list[str]
    payloads: dict[str, str] = field(default_factory=dict)  # seat ref -> QR text
    ticket_ids: dict[str, int] = field(default_factory=dict)
    codes: dict[str, str] = field(default_factory=dict)  # seat ref -> the code the page prints


def make_door(shop, *, devices: int = 2, allow_reentry: bool = False) -> Door:
    def build():
        admin = signed_in_client(shop.organizer, make_member(shop.organizer, Role.ADMIN))
        created = admin.post(
            "/api/v1/checkin/lists",
            {"event": shop.event.uid, "name": "Main door", "allow_reentry": allow_reentry},
            content_type="application/json",
        )
        assert created.status_code == 201, created.content
        list_id = created.json()["id"]
        codes = []
        for number in range(devices):
            device = admin.post(
                "/api/v1/checkin/devices",
                {"name": f"Phone {number + 1}", "gate": f"Gate {number + 1}", "lists": [list_id]},
                content_type="application/json",
            )
            assert device.status_code == 201, device.content
            codes.append(device.json()["pairing_code"])
        return list_id, codes

    list_id, codes = in_database(shop.organizer, build)
    door = Door(shop.url, shop.organizer, shop.event, list_id, codes)
    refs = ["stalls/A/1", "stalls/A/2", "stalls/A/3"]
    _order, tickets = in_database(
        shop.organizer, lambda: paid_order(shop.organizer, shop.event, refs, name="Ada Lovelace")
    )
    for ref, ticket in zip(refs, tickets, strict=True):
        door.payloads[ref] = ticket.payload
        door.ticket_ids[ref] = ticket.pk
        door.codes[ref] = ticket.uid
    return door


@pytest.fixture
def door(shop):
    return make_door(shop)


def device_client(door: Door) -> Client:
    return Client(HTTP_HOST=host_of(door.organizer))


def write_y4m(image: Image.Image, path: Path, *, width: int = 640, height: int = 480) -> Path:
    """A few YUV4MPEG2 (4:2:0) frames of `image` centred on white, for Chromium's fake camera
    (`--use-file-for-fake-video-capture`), which plays the file in a loop."""
    canvas = Image.new("RGB", (width, height), "white")
    side = min(width, height) - 80
    picture = image.convert("RGB").resize((side, side), Image.Resampling.NEAREST)
    canvas.paste(picture, ((width - side) // 2, (height - side) // 2))
    luma, blue, red = canvas.convert("YCbCr").split()
    half = (width // 2, height // 2)
    frame = (
        luma.tobytes()
        + blue.resize(half, Image.Resampling.BILINEAR).tobytes()
        + red.resize(half, Image.Resampling.BILINEAR).tobytes()
    )
    with path.open("wb") as file:
        file.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(10):
            file.write(b"FRAME\n" + frame)
    return path


def qr_image(text: str) -> Image.Image:
    import io

    return Image.open(io.BytesIO(qr_png(text, box_size=8)))


@pytest.fixture
def camera_browser(tmp_path_factory):
    """A chromium whose camera shows a given image: call with the image, get the browser."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs it.", pytrace=False)
    playwright = sync_playwright().start()
    launched = []

    def launch(image: Image.Image):
        video = write_y4m(image, tmp_path_factory.mktemp("camera") / "qr.y4m")
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                *CHROMIUM_FLAGS,
                "--use-fake-device-for-media-stream",
                "--use-fake-ui-for-media-stream",
                f"--use-file-for-fake-video-capture={video}",
            ],
        )
        launched.append(chromium)
        return chromium

    yield launch
    for chromium in launched:
        chromium.close()
    playwright.stop()
