"""The check-in app in a real browser: pairing, sync, scanning offline (green, already admitted,
tampered), the queue uploading when the network returns, a conflict between two devices, an
offline supervisor override, and the camera path fed a real QR code."""

from datetime import timedelta

import pytest
from django.db import transaction
from playwright.sync_api import expect

from boxoffice.sales.services.orders import record_dispute
from boxoffice.tickets.models import Ticket
from boxoffice.tickets.services import track_order_payment
from checkin.models import Admission, Override, Scan
from checkin.services.credentials import issue_staff_credential
from tenants.permissions import member_actor
from tenants.roles import Role
from tests.builders.organizers import make_member
from tests.e2e.conftest import in_database, make_door, qr_image, screenshot

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators"),
]

SEAT_A1 = "Stalls, row A, seat 1"
page_errors: list[str] = []


@pytest.fixture(autouse=True)
def no_script_errors():
    page_errors.clear()
    yield
    assert page_errors == [], "uncaught errors in the app's scripts"


def pair_and_start(page, door, code):
    # Green screens close by themselves after 2.5 s; long enough here to check and photograph.
    page.add_init_script("window.checkinGreenScreenMs = 60000")
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    page.goto(door.url + "/checkin/")
    page.get_by_label("Pairing code").fill(code)
    page.get_by_role("button", name="Pair", exact=True).click()
    expect(page.get_by_role("heading", name="Where are you checking in?")).to_be_visible()
    page.get_by_role("button", name="Download tickets and start").click()
    expect(page.locator("[data-list-name]")).to_have_text("Main door")
    expect(page.locator("[data-last-sync]")).not_to_have_text("never")
    expect(page.locator("[data-count-total]")).to_have_text("0")
    expect(page.locator("body[data-offline-ready]")).to_have_count(1)


def scan(page, text):
    field = page.get_by_label("Ticket code (scanner or keyboard)")
    field.fill(text)
    field.press("Enter")


def expect_result(page, verdict, *, seat=None):
    result = page.locator("[data-result]")
    expect(result).to_be_visible()
    expect(result).to_have_attribute("data-verdict", verdict)
    classes = {"ok": "result ok", "payment_disputed": "result deny warn"}
    expect(result).to_have_class(classes.get(verdict, "result deny"))
    if seat:
        # The server's line, names only: every seat scanned here is in row A, the premium row.
        expect(page.locator("[data-result-seat]")).to_have_text(f"{seat} · Premium · Adult")
        expect(result).not_to_contain_text("premium")  # the category's key, never shown
    return result


def next_scan(page):
    page.get_by_role("button", name="Next scan").click()
    expect(page.locator("[data-result]")).to_be_hidden()


def tamper(payload: str) -> str:
    """One base45 digit changed inside the signed bytes: still a well-formed code."""
    index = 20
    replacement = "1" if payload[index] != "1" else "2"
    return payload[:index] + replacement + payload[index + 1 :]


def test_offline_scans_queue_upload_and_a_second_device_gets_a_conflict(door, new_page):
    first, second = new_page(), new_page()
    pair_and_start(first, door, door.pairing_codes[0])
    pair_and_start(second, door, door.pairing_codes[1])
    payload = door.payloads["stalls/A/1"]

    # The network goes; the app still opens (service worker) with its tickets (IndexedDB).
    first.context.set_offline(True)
    second.context.set_offline(True)
    first.reload()
    expect(first.locator("[data-net]")).to_have_text("Offline")
    expect(first.locator("[data-list-name]")).to_have_text("Main door")

    scan(first, payload)
    expect_result(first, "ok", seat=SEAT_A1)
    expect(first.locator("[data-result-name]")).to_have_text("Ada Lovelace")
    expect(first.locator("body[data-last-sound='admit']")).to_have_count(1)
    screenshot(first, "checkin-green")
    next_scan(first)

    scan(first, payload)
    expect_result(first, "already_admitted", seat=SEAT_A1)
    expect(first.locator("[data-result-message]")).to_contain_text("Already admitted")
    expect(first.locator("body[data-last-sound='refuse']")).to_have_count(1)
    screenshot(first, "checkin-red-already-admitted")
    next_scan(first)

    scan(first, tamper(payload))
    expect_result(first, "invalid_signature")
    expect(first.locator("[data-result-title]")).to_contain_text("Invalid ticket")
    screenshot(first, "checkin-red-tampered")
    next_scan(first)

    expect(first.locator("[data-count-here]")).to_have_text("1")
    expect(first.locator("[data-count-queue]")).to_have_text("3")

    # The second door admits the same ticket later, offline: it cannot know.
    scan(second, payload)
    expect_result(second, "ok", seat=SEAT_A1)
    next_scan(second)
    expect(second.locator("[data-count-queue]")).to_have_text("1")

    # Back online: the queue uploads by itself.
    first.context.set_offline(False)
    expect(first.locator("[data-count-queue]")).to_have_text("0", timeout=15_000)
    expect(first.locator("[data-net]")).to_have_text("Online")
    expect(first.locator("[data-count-total]")).to_have_text("1")
    expect(first.locator("[data-conflicts-box]")).to_be_hidden()
    scans = in_database(
        door.organizer,
        lambda: sorted(Scan.objects.values_list("verdict", "mode", "conflict")),
    )
    assert scans == [
        ("already_admitted", "offline", False),
        ("invalid_signature", "offline", False),
        ("ok", "offline", False),
    ]

    second.context.set_offline(False)
    expect(second.locator("[data-count-queue]")).to_have_text("0", timeout=15_000)
    conflicts = second.locator("[data-conflicts-box]")
    expect(conflicts).to_be_visible()
    expect(conflicts.locator("li")).to_have_count(1)
    expect(conflicts.locator("li")).to_contain_text(SEAT_A1)
    expect(conflicts.locator("li")).to_contain_text("Gate 1")
    expect(second.locator("[data-recent] li").first).to_contain_text("conflict")
    screenshot(second, "checkin-conflict")
    assert in_database(door.organizer, lambda: Scan.objects.filter(conflict=True).count()) == 1
    assert in_database(door.organizer, lambda: Admission.objects.count()) == 1


def test_an_offline_override_with_a_staff_credential_uploads_as_an_override(door, new_page):
    def credential():
        user = make_member(door.organizer, Role.STAFF, is_supervisor=True, email="sup@example.com")
        text, _ = issue_staff_credential(
            organizer=door.organizer,
            actor=member_actor(user, door.organizer),
            lifetime=timedelta(hours=2),
        )
        return text

    text = in_database(door.organizer, credential)
    page = new_page()
    pair_and_start(page, door, door.pairing_codes[0])
    page.get_by_role("button", name="Supervisor").click()
    page.get_by_label("Staff credential").fill(text)
    page.get_by_role("button", name="Keep on this device").click()
    expect(page.locator("[data-credential-state]")).to_contain_text("sup@example.com")
    page.get_by_role("button", name="Back to scanning").click()

    # Online first: the server says yes and the device remembers the admission.
    payload = door.payloads["stalls/A/2"]
    scan(page, payload)
    expect_result(page, "ok", seat="Stalls, row A, seat 2")
    page.keyboard.press("Escape")

    page.context.set_offline(True)
    scan(page, payload)
    expect_result(page, "already_admitted")
    page.get_by_role("button", name="Supervisor override").click()
    dialog = page.get_by_role("dialog", name="Supervisor override")
    dialog.get_by_role("button", name="Admit").click()
    expect(dialog.locator("[data-override-error]")).to_have_text("A reason is required.")
    dialog.get_by_label("Reason (required)").fill("Lost wristband, checked ID")
    dialog.get_by_role("button", name="Admit").click()
    expect(page.locator("[data-result]")).to_have_class("result ok")
    expect(page.locator("[data-result-title]")).to_contain_text("override")
    screenshot(page, "checkin-override")

    page.context.set_offline(False)
    expect(page.locator("[data-count-queue]")).to_have_text("0", timeout=15_000)
    overrides = in_database(
        door.organizer, lambda: list(Override.objects.values_list("reason", "offline"))
    )
    assert overrides == [("Lost wristband, checked ID", True)]


def test_a_disputed_payment_warns_and_waits_for_a_supervisor_online_and_offline(door, new_page):
    def dispute():
        order = Ticket.objects.get(pk=door.ticket_ids["stalls/A/1"]).order
        with transaction.atomic():  # as the webhook does it
            record_dispute(order=order, reason="fraudulent", status="needs_response", amount=100)
            track_order_payment(order=order)

    in_database(door.organizer, dispute)
    page = new_page()
    pair_and_start(page, door, door.pairing_codes[0])

    for mode in ("online", "offline"):
        if mode == "offline":
            page.context.set_offline(True)
            expect(page.locator("[data-net]")).to_have_text("Offline")
        scan(page, door.payloads["stalls/A/1"])
        expect_result(page, "payment_disputed", seat=SEAT_A1)
        expect(page.locator("[data-result-title]")).to_have_text("✕ Payment disputed")
        message = page.locator("[data-result-message]")
        expect(message).to_contain_text("Payment disputed — call a supervisor.")
        if mode == "offline":
            expect(message).to_contain_text("(checked on this device)")
        expect(page.get_by_role("button", name="Supervisor override")).to_be_visible()
        expect(page.locator("body[data-last-sound='refuse']")).to_have_count(1)
        screenshot(page, f"checkin-disputed-{mode}")
        next_scan(page)

    page.context.set_offline(False)
    expect(page.locator("[data-count-queue]")).to_have_text("0", timeout=15_000)
    verdicts = in_database(
        door.organizer,
        lambda: sorted(Scan.objects.values_list("verdict", "mode", "conflict")),
    )
    assert verdicts == [
        ("payment_disputed", "offline", False),
        ("payment_disputed", "online", False),
    ]
    assert in_database(door.organizer, lambda: Admission.objects.count()) == 0


def test_on_a_re_entry_list_a_ticket_goes_out_and_back_in_offline(shop, new_page):
    door = make_door(shop, devices=1, allow_reentry=True)
    page = new_page()
    pair_and_start(page, door, door.pairing_codes[0])
    payload = door.payloads["stalls/A/1"]
    scan(page, payload)
    expect_result(page, "ok", seat=SEAT_A1)
    next_scan(page)

    page.context.set_offline(True)
    page.get_by_label("Out", exact=True).check()
    scan(page, payload)
    expect_result(page, "ok", seat=SEAT_A1)
    expect(page.locator("[data-result-title]")).to_contain_text("Goodbye")
    next_scan(page)
    scan(page, payload)
    expect_result(page, "not_inside")
    next_scan(page)
    page.get_by_label("In", exact=True).check()
    scan(page, payload)
    expect_result(page, "ok", seat=SEAT_A1)
    next_scan(page)
    expect(page.locator("[data-count-queue]")).to_have_text("3")

    page.context.set_offline(False)
    expect(page.locator("[data-count-queue]")).to_have_text("0", timeout=15_000)
    expect(page.locator("[data-conflicts-box]")).to_be_hidden()
    scans = in_database(
        door.organizer,
        lambda: list(Scan.objects.order_by("scanned_at").values_list("direction", "verdict")),
    )
    assert scans == [("entry", "ok"), ("exit", "ok"), ("exit", "not_inside"), ("entry", "ok")]
    assert in_database(door.organizer, lambda: Admission.objects.get().inside) is True


def test_door_staff_type_a_ticket_code_online_and_offline(shop, new_page):
    """A QR code that will not scan: staff type the code printed under it, as they read it."""
    door = make_door(shop, devices=1)
    page = new_page()
    pair_and_start(page, door, door.pairing_codes[0])
    spoken = door.codes["stalls/A/1"].upper().replace("_", "-")
    scan(page, spoken)
    expect_result(page, "ok", seat=SEAT_A1)
    next_scan(page)

    page.context.set_offline(True)
    scan(page, door.codes["stalls/A/2"])
    expect_result(page, "ok", seat="Stalls, row A, seat 2")
    next_scan(page)
    scan(page, spoken)
    expect_result(page, "already_admitted")
    next_scan(page)
    scan(page, "tkt_abcdefghjkmn")
    expect_result(page, "not_found")
    next_scan(page)
    expect(page.locator("[data-count-queue]")).to_have_text("3")

    page.context.set_offline(False)
    expect(page.locator("[data-count-queue]")).to_have_text("0", timeout=15_000)
    admitted = in_database(
        door.organizer,
        lambda: sorted(Admission.objects.values_list("ticket_id", flat=True)),
    )
    assert admitted == sorted([door.ticket_ids["stalls/A/1"], door.ticket_ids["stalls/A/2"]])


def test_the_camera_reads_a_ticket_qr(shop, camera_browser):
    door = make_door(shop, devices=1)
    browser = camera_browser(qr_image(door.payloads["stalls/A/3"]))
    context = browser.new_context(
        viewport={"width": 412, "height": 915}, permissions=["camera"], is_mobile=False
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    pair_and_start(page, door, door.pairing_codes[0])
    page.get_by_role("button", name="Start camera").click()
    expect(page.locator("body[data-camera='on']")).to_have_count(1)
    expect_result(page, "ok", seat="Stalls, row A, seat 3")
    expect(page.locator("[data-result-message]")).to_have_text("Welcome in.")
    screenshot(page, "checkin-camera-green")
    assert in_database(door.organizer, lambda: Scan.objects.get().mode) == "online"
    context.close()


def test_a_device_pairs_by_scanning_the_pairing_qr(shop, camera_browser):
    door = make_door(shop, devices=1)
    pairing_url = f"{door.url}/checkin/pair?code={door.pairing_codes[0]}"
    browser = camera_browser(qr_image(pairing_url))
    context = browser.new_context(viewport={"width": 412, "height": 915}, permissions=["camera"])
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    page.goto(door.url + "/checkin/")
    page.get_by_role("button", name="Scan the pairing QR").click()
    expect(page.get_by_role("heading", name="Where are you checking in?")).to_be_visible()
    expect(page.locator("[data-device-name]")).to_have_text("This device: Phone 1")
    expect(page.locator("#setup-gate")).to_have_value("Gate 1")
    context.close()
