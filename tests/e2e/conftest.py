"""Browser tests: Debian's chromium (installed by `make test`), driven by Playwright, against the
ASGI application served by uvicorn in a thread on the test database (so the live availability
stream works as in development). Payment jobs run at once, in the thread that queues them.

One harness for every browser test: the shop (`shop`), the console (`console_site`: an organizer
with an owner and a staff member who sign in with a password) and the check-in app (`door`: a
check-in list with devices to pair and tickets sold; `camera_browser`: a chromium fed by a fake
camera).

Screenshots land in tests/e2e/artifacts/ (git-ignored)."""

import io
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from unittest import mock

import pytest
import uvicorn
from django.db import connection
from PIL import Image

from boxoffice.tickets.qr import qr_png
from tenants.roles import Role
from tests.builders.checkin import make_door as make_checkin_door
from tests.builders.events import on_sale_event
from tests.builders.orders import paid_order
from tests.builders.organizers import PASSWORD, make_member, make_user
from tests.builders.races import on_another_connection

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).with_name("artifacts")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def browser():
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's chromium. `make test` "
            "installs it (apt-get install -y chromium); run that, or install it yourself.",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


def in_database(organizer, query):
    """Run `query()` in the organizer's schema on a thread of its own. While Playwright's sync
    API runs, this thread has an event loop going, where Django refuses the ORM; a thread also
    keeps the test from leaving a connection behind."""
    return on_another_connection(query, schema=organizer.schema_name, timeout=120)


def run_now(func, *args, **options):
    """django-q2's broker stood in for by running the job at once, in the queuing thread."""
    return func(*args)


class LiveShop:
    def __init__(self, port: int, organizer, event):
        self.port = port
        self.organizer = organizer
        self.event = event
        self.url = f"http://{organizer.slug}.localhost:{port}"

    def event_url(self) -> str:
        return f"{self.url}/events/{self.event.slug}/"


@pytest.fixture
def asgi_server(transactional_db):
    from boxoffice.asgi import application

    port = free_port()
    config = uvicorn.Config(
        application,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="on",
        timeout_graceful_shutdown=1,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    with mock.patch("boxoffice.jobs.async_task", side_effect=run_now):
        thread.start()
        deadline = time.monotonic() + 20
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)
        yield port
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def shop(asgi_server, committed_organizer):
    organizer = committed_organizer("e2eshop", name="Harbour Hall")
    organizer.brand_color = "#0b6e4f"
    organizer.save()
    event = on_sale_event(
        organizer, rows=4, seats=8, title="Harbour Lights", slug="harbour-lights",
        fee_per_ticket=150, refund_policy=[{"days_before": 7, "percent": 100}],
    )  # fmt: skip
    connection.set_schema_to_public()
    return LiveShop(asgi_server, organizer, event)


@pytest.fixture
def new_page(browser):
    contexts = []

    def make(**options):
        context = browser.new_context(viewport={"width": 1280, "height": 900}, **options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


# --- the console ------------------------------------------------------------------------------


class ConsoleSite:
    def __init__(self, port: int, organizer):
        self.organizer = organizer
        self.url = f"http://{organizer.slug}.localhost:{port}"
        self.owner = "owner@console.example.com"
        self.staff = "staff@console.example.com"

    def sign_in(self, page, email: str, next_path: str = "/console/") -> None:
        page.goto(f"{self.url}/login/?next={next_path}")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{self.url}{next_path}")


@pytest.fixture
def console_site(asgi_server, committed_organizer):
    owner = make_user("owner@console.example.com")
    organizer = committed_organizer("e2econsole", owner=owner, name="Riverside Theatre")
    make_member(organizer, Role.STAFF, email="staff@console.example.com")
    connection.set_schema_to_public()
    return ConsoleSite(asgi_server, organizer)


# --- the check-in app -------------------------------------------------------------------------


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
    """A check-in list at the shop's event with `devices` devices for the app to pair, and
    three tickets sold (stalls/A/1 to 3, to Ada Lovelace)."""
    built = in_database(
        shop.organizer,
        lambda: make_checkin_door(
            shop.organizer, shop.event, devices=devices, allow_reentry=allow_reentry, paired=False
        ),
    )
    door = Door(shop.url, shop.organizer, shop.event, built.list_id, built.pairing_codes)
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
