"""The check-in app's server side: the shell, service worker, web manifest, icons, the QR
decoder served from node_modules, and the supervisor page that issues staff credentials."""

import io
import os
import re
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context
from PIL import Image

from checkin.services.credentials import verify_staff_credential
from tenants.roles import Role
from tests.builders.organizers import host_of, make_member, make_organizer, signed_in_client

ROOT = Path(__file__).resolve().parents[2]
# boxoffice/tickets/README.md: seed 0x00..0x1f, key id 0x01020304, ticket 42, event 7.
VECTOR = (
    "W50KB0YM0000000000.D50000+03XD%-0YU2YUB9301C1G/37Y6%XODPK:GN23B08U-IJ0V5X*MXYD0BPL4G55WOIA0SI"
    "HFWE519AU.9E3EWO7SVK1H$714DB0"
)


@pytest.fixture
def organizer(db):
    return make_organizer("doorapp", name="Door App Hall")


def test_the_shell_links_manifest_modules_and_decoder(organizer):
    client = Client(HTTP_HOST=host_of(organizer))
    page = client.get("/checkin/")
    assert page.status_code == 200
    html = page.content.decode()
    assert '<link rel="manifest" href="/checkin/app.webmanifest">' in html
    assert 'type="module" src="/static/checkin/app.js"' in html
    assert 'src="/static/vendor/jsqr/jsQR.js"' in html
    assert page["Referrer-Policy"] == "no-referrer"
    # The pairing QR's address opens the same app.
    assert client.get("/checkin/pair?code=ABCD-EFGH-JKLM").status_code == 200


def test_the_qr_decoder_comes_from_node_modules_not_the_repository():
    found = finders.find("vendor/jsqr/jsQR.js")
    assert found, "run `make install` (npm ci) to install the QR decoder"
    assert Path(found).is_relative_to(ROOT / "node_modules")
    tracked = subprocess.run(
        [shutil.which("git") or "git", "ls-files", "*jsQR*"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert tracked.stdout == ""


def test_the_service_worker_caches_the_shell_under_its_scope(organizer):
    response = Client(HTTP_HOST=host_of(organizer)).get("/checkin/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/checkin/"
    script = response.content.decode()
    assert re.search(r'const CACHE_NAME = "checkin-[0-9a-f]{16}";', script)
    for url in ("/checkin/", "/static/checkin/app.js", "/static/vendor/jsqr/jsQR.js"):
        assert f'"{url}"' in script
    assert 'addEventListener("fetch"' in script


def test_web_manifest_and_drawn_icons(organizer):
    client = Client(HTTP_HOST=host_of(organizer))
    manifest = client.get("/checkin/app.webmanifest")
    assert manifest["Content-Type"] == "application/manifest+json"
    body = manifest.json()
    assert body["start_url"] == body["scope"] == "/checkin/"
    assert body["display"] == "standalone"
    assert body["name"] == "Door App Hall check-in"
    for icon in body["icons"]:
        response = client.get(icon["src"])
        assert response.status_code == 200
        assert response["Content-Type"] == "image/png"
        image = Image.open(io.BytesIO(response.content))
        assert f"{image.width}x{image.height}" == icon["sizes"]
    assert client.get("/checkin/icons/64.png").status_code == 404


def test_the_supervisor_page_issues_a_credential_to_supervisors_only(organizer):
    host = host_of(organizer)
    anonymous = Client(HTTP_HOST=host).get("/checkin/supervisor/")
    assert anonymous.status_code == 302
    assert "/login/" in anonymous["Location"]

    staff = signed_in_client(organizer, make_member(organizer, Role.STAFF))
    assert staff.get("/checkin/supervisor/").status_code == 403

    supervisor = signed_in_client(
        organizer, make_member(organizer, Role.STAFF, is_supervisor=True, email="sup@x.example")
    )
    assert supervisor.get("/checkin/supervisor/").status_code == 200
    issued = supervisor.post("/checkin/supervisor/", {"hours": "2"})
    assert issued.status_code == 200
    assert issued["Cache-Control"].startswith("max-age=0")
    text = re.search(r'id="credential-text" rows="4" readonly>([^<]+)<', issued.content.decode())
    with schema_context(organizer.schema_name):
        credential, actor = verify_staff_credential(
            text.group(1), organizer=organizer, at=timezone.now()
        )
    assert credential.name == "sup@x.example"
    assert actor.is_supervisor


def test_a_lifetime_that_is_not_a_number_gets_the_default(organizer):
    supervisor = signed_in_client(
        organizer, make_member(organizer, Role.STAFF, is_supervisor=True, email="sup@x.example")
    )
    for hours in ("nan", "inf", "-inf", "soon"):
        issued = supervisor.post("/checkin/supervisor/", {"hours": hours})
        assert issued.status_code == 200, hours
        text = re.search(
            r'id="credential-text" rows="4" readonly>([^<]+)<', issued.content.decode()
        )
        with schema_context(organizer.schema_name):
            credential, _actor = verify_staff_credential(
                text.group(1), organizer=organizer, at=timezone.now()
            )
        lifetime = credential.expires_at - credential.issued_at
        assert timedelta(minutes=15) <= lifetime <= timedelta(hours=12), hours


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_device_verification_accepts_the_format_test_vector_and_refuses_a_tampered_one():
    """verify.js (the app's module) in node's WebCrypto, on boxoffice/tickets/README.md's vector."""
    script = """
import { decodePayload, judge } from "./checkin/static/checkin/verify.js";
const vector = process.env.VECTOR;
const keys = [{ key_id: 0x01020304, public_key: "A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=" }];
const list = { event: { id: 7 }, categories: [], allow_reentry: false };
const ticket = { id: 42, seat: "A1", category: "standard", name: "Ada", status: "valid" };
const lookup = { ticket: async (id) => (id === 42 ? ticket : null), admission: async () => null };
const decoded = decodePayload(vector);
const tampered = vector.slice(0, 20) + (vector[20] === "1" ? "2" : "1") + vector.slice(21);
const results = [
  decoded.keyId, decoded.ticketId, decoded.eventId,
  (await judge(vector + "\\r\\n", { list, keys, lookup })).verdict,
  (await judge(tampered, { list, keys, lookup })).verdict,
  (await judge("HELLO", { list, keys, lookup })).verdict,
  (await judge(vector, { list: { ...list, event: { id: 8 } }, keys, lookup })).verdict,
  (await judge(vector, { list, keys: [], lookup })).verdict,
  (await judge(vector, { list, keys, lookup, direction: "exit" })).verdict,
  (await judge(vector, { list: { ...list, allow_reentry: true }, keys, direction: "exit",
    lookup: { ...lookup, admission: async () => ({ inside: true }) } })).verdict,
  (await judge(vector, { list: { ...list, allow_reentry: true }, keys,
    lookup: { ...lookup, admission: async () => ({ inside: false }) } })).verdict,
  (await judge(vector, { list, keys,
    lookup: { ...lookup, admission: async () => ({ inside: false }) } })).verdict,
];
console.log(JSON.stringify(results));
"""
    result = subprocess.run(
        [shutil.which("node"), "--input-type=module", "-e", script],
        cwd=ROOT,
        env={**os.environ, "VECTOR": VECTOR},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        '[16909060,42,7,"ok","invalid_signature","invalid_signature","wrong_event","unknown_key",'
        '"not_inside","ok","ok","already_admitted"]'
    )
