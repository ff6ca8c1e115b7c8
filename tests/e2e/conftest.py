"""Browser tests: Debian's chromium (installed by `make test`), driven by Playwright, against the
ASGI application served by uvicorn in a thread on the test database (so the live availability
stream works as in development). Payment jobs run at once, in the thread that queues them.

Screenshots land in tests/e2e/artifacts/ (git-ignored)."""

import socket
import threading
import time
from pathlib import Path
from unittest import mock

import pytest
import uvicorn
from django.db import connection
from django_tenants.utils import schema_context

from tests.builders.events import on_sale_event
from tests.builders.organizers import make_organizer

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
    outcome = {}

    def work():
        try:
            with schema_context(organizer.schema_name):
                outcome["value"] = query()
        except BaseException as error:  # handed to the test's thread
            outcome["error"] = error
        finally:
            connection.close()

    worker = threading.Thread(target=work)
    worker.start()
    worker.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


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
def shop(asgi_server):
    organizer = make_organizer("e2eshop", name="Harbour Hall")
    organizer.brand_color = "#0b6e4f"
    organizer.save()
    event = on_sale_event(
        organizer, rows=4, seats=8, title="Harbour Lights", slug="harbour-lights",
        fee_per_ticket=150, refund_policy=[{"days_before": 7, "percent": 100}],
    )  # fmt: skip
    connection.set_schema_to_public()
    yield LiveShop(asgi_server, organizer, event)
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA IF EXISTS org_e2eshop CASCADE")


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
