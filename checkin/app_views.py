"""The door staff check-in app (a PWA) at `/checkin/`: the app shell, its service worker, web
manifest and icons, and the supervisor page that hands a staff credential to a device.

The app itself is plain ES modules in `static/checkin/`; it talks to the check-in API
(`checkin/api.py`) with its device token. Design notes: checkin/README.md ("The app")."""

import hashlib
import io
import json
import math
from datetime import timedelta
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from PIL import Image, ImageDraw

from boxoffice.tickets.qr import qr_svg
from checkin.services.credentials import issue_staff_credential
from tenants.permissions import role_required
from tenants.roles import Role

# Everything the app needs to open with no network; the service worker caches these on install.
APP_STATIC = [
    "checkin/app.css",
    "checkin/app.js",
    "checkin/store.js",
    "checkin/verify.js",
    "checkin/scanner.js",
    "checkin/feedback.js",
    "vendor/jsqr/jsQR.js",
]
ICON_SIZES = (192, 512)
SHELL_URL = "/checkin/"
SHELL_TEMPLATE = Path(__file__).parent / "templates" / "checkin" / "app" / "index.html"


def _shell_urls() -> list[str]:
    # Hashed names (production) for the page's own tags, plain names for the modules' relative
    # imports, which the manifest storage leaves as they are.
    files = [static(name) for name in APP_STATIC]
    plain = [settings.STATIC_URL + name for name in APP_STATIC]
    return [
        SHELL_URL,
        "/checkin/app.webmanifest",
        *(f"/checkin/icons/{size}.png" for size in ICON_SIZES),
        *dict.fromkeys(files + plain),
    ]


def _cache_version() -> str:
    """Changes whenever a cached file does, so an updated app replaces the old cache."""
    digest = hashlib.sha256("\n".join(_shell_urls()).encode())
    for name in [*APP_STATIC, "checkin/sw.js"]:
        found = finders.find(name)
        if found:
            with open(found, "rb") as file:
                digest.update(file.read())
    digest.update(SHELL_TEMPLATE.read_bytes())
    return digest.hexdigest()[:16]


if not settings.DEBUG:
    _cache_version = lru_cache(maxsize=1)(_cache_version)


@require_GET
def app_shell(request: HttpRequest) -> HttpResponse:
    """The single page of the app (also at `/checkin/pair?code=…`, the pairing QR's address)."""
    response = render(
        request,
        "checkin/app/index.html",
        {"organizer": request.tenant, "shell_version": _cache_version()},
    )
    response["Cache-Control"] = "no-cache"
    response["Referrer-Policy"] = "no-referrer"  # the pairing code may be in the address
    return response


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    found = finders.find("checkin/sw.js")
    if not found:
        raise Http404("No service worker.")
    with open(found, encoding="utf-8") as file:
        script = file.read()
    preamble = (
        f"const CACHE_NAME = {json.dumps('checkin-' + _cache_version())};\n"
        f"const SHELL_URL = {json.dumps(SHELL_URL)};\n"
        f"const SHELL_FILES = {json.dumps(_shell_urls())};\n"
    )
    response = HttpResponse(preamble + script, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = SHELL_URL
    return response


@require_GET
def web_manifest(request: HttpRequest) -> JsonResponse:
    organizer = request.tenant
    response = JsonResponse(
        {
            "name": f"{organizer.name} check-in",
            "short_name": "Check-in",
            "description": "Scan and verify tickets at the door, online or offline.",
            "id": SHELL_URL,
            "start_url": SHELL_URL,
            "scope": SHELL_URL,
            "display": "standalone",
            "orientation": "portrait",
            "background_color": "#111827",
            "theme_color": organizer.brand_color,  # "#rrggbb": a database constraint
            "icons": [
                {
                    "src": f"/checkin/icons/{size}.png",
                    "sizes": f"{size}x{size}",
                    "type": "image/png",
                    "purpose": "any maskable",
                }
                for size in ICON_SIZES
            ],
        },
        content_type="application/manifest+json",
    )
    response["Cache-Control"] = "no-cache"
    return response


@lru_cache(maxsize=16)
def draw_icon(size: int, color: str) -> bytes:
    """A ticket with a check mark on the brand colour, drawn here (no copied artwork); the
    figure stays inside the central 80% so the icon survives a maskable crop."""
    image = Image.new("RGB", (size, size), color)
    draw = ImageDraw.Draw(image)
    unit = size / 100
    left, top, right, bottom = 22 * unit, 30 * unit, 78 * unit, 70 * unit
    draw.rounded_rectangle((left, top, right, bottom), radius=6 * unit, fill="white")
    notch = 6 * unit  # the ticket's punched sides
    for x in (left, right):
        draw.ellipse((x - notch, 50 * unit - notch, x + notch, 50 * unit + notch), fill=color)
    draw.line(
        [(36 * unit, 51 * unit), (46 * unit, 60 * unit), (65 * unit, 40 * unit)],
        fill=color,
        width=max(2, round(7 * unit)),
        joint="curve",
    )
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


@require_GET
def icon(request: HttpRequest, size: int) -> HttpResponse:
    if size not in ICON_SIZES:
        raise Http404("No icon of that size.")
    response = HttpResponse(draw_icon(size, request.tenant.brand_color), content_type="image/png")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
@role_required(Role.STAFF, supervisor=True)
def supervisor(request: HttpRequest) -> HttpResponse:
    """A signed-in supervisor (or admin) gets a staff credential for offline overrides: kept on
    this device with one tap, or shown as a QR for the door devices to scan."""
    context: dict = {"organizer": request.tenant, "hours": 8}
    if request.method == "POST":
        try:
            asked = float(request.POST.get("hours", 8))
        except ValueError:
            asked = math.nan
        # Between 15 minutes and 12 hours; anything that is not a number gets the default.
        hours = min(max(asked, 0.25), 12) if math.isfinite(asked) else 8
        text, credential = issue_staff_credential(
            organizer=request.tenant,
            actor=request.actor,  # type: ignore[attr-defined]
            lifetime=timedelta(hours=hours),
        )
        context.update(
            credential=text,
            issued=credential,
            hours=hours,
            qr=qr_svg(text, title="Staff credential"),
        )
    response = render(request, "checkin/app/supervisor.html", context)
    response["Referrer-Policy"] = "no-referrer"
    return response
