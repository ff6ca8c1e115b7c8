"""QR images of ticket payloads (and other short texts): SVG for pages, PNG for emails.

Payloads are base45, so the whole text is encoded in the QR alphanumeric mode: 122 characters fit
a version 5 symbol (37x37 modules) at error-correction level M.
"""

import io

import qrcode
import qrcode.image.svg
from django.utils.html import escape
from qrcode.util import MODE_8BIT_BYTE, MODE_ALPHA_NUM, QRData

from boxoffice.tickets.models import Ticket

ALPHANUMERIC = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")


def _qr(text: str, *, box_size: int = 10) -> qrcode.QRCode:
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M, border=4, box_size=box_size
    )
    mode = MODE_ALPHA_NUM if set(text) <= ALPHANUMERIC else MODE_8BIT_BYTE
    code.add_data(QRData(text.encode(), mode=mode))
    code.make(fit=True)
    return code


def qr_svg(text: str, *, title: str = "") -> str:
    """An inline <svg> (scales with its box; 1 module = 1 unit) for `text`."""
    image = _qr(text).make_image(image_factory=qrcode.image.svg.SvgPathImage)
    svg = image.to_string(encoding="unicode")
    # The XML prolog is not allowed inside HTML; the page sets the size.
    svg = svg.split("?>", 1)[1] if svg.startswith("<?xml") else svg
    if title:
        svg = svg.replace(">", f' role="img" aria-label="{escape(title)}">', 1)
    return svg.strip()


def qr_png(text: str, *, box_size: int = 6) -> bytes:
    """A black-on-white PNG of `text` (about 270 px square for a ticket at box_size 6)."""
    image = _qr(text, box_size=box_size).make_image(fill_color="black", back_color="white")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def ticket_qr_svg(ticket: Ticket) -> str:
    """The ticket's QR as inline SVG, for the ticket page."""
    return qr_svg(ticket.payload, title=f"Ticket {ticket.uid}")


def ticket_qr_png(ticket: Ticket, *, box_size: int = 6) -> bytes:
    """The ticket's QR as PNG bytes, for the confirmation email (attach it, or inline it with a
    Content-ID); 270 px square at the default box size."""
    return qr_png(ticket.payload, box_size=box_size)
