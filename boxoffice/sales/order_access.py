"""How a customer reaches an order without an account: its code plus a secret.

The secret is an HMAC of the code (and a per-order nonce) under SECRET_KEY, so it is never
stored: a leaked database does not leak the links in customers' mailboxes, and the email job can
rebuild the link. Codes avoid look-alike characters so they can be read out over the phone.
"""

import base64
import secrets

from django.db import connection
from django.utils.crypto import salted_hmac

from boxoffice.errors import NotFound
from boxoffice.inputs import secrets_match
from boxoffice.sales.error_codes import ErrorCode
from boxoffice.sales.models import Order

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
# Pages whose address holds the secret: other sites get no Referer at all, while the page's own
# forms still carry a real Origin. (`no-referrer` made Chromium send `Origin: null`, which
# Django's CSRF check refuses: the cancel form always ended in "Form expired".)
SECRET_PAGE_REFERRER_POLICY = "same-origin"


def new_order_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_order_code(text: str) -> str:
    """An order code as stored, from however a person typed or read it out: any case, with
    hyphens, spaces or other separators ("abcd-2345", "ABCD 2345"). This is the one place that
    decides it: the shop, the console search, the customer and organizer APIs all call it."""
    return "".join(ch for ch in text.upper() if ch.isascii() and ch.isalnum())


def new_secret_nonce() -> str:
    return secrets.token_hex(8)


def order_secret(order: Order) -> str:
    digest = salted_hmac(
        "boxoffice.sales.order-secret",
        f"{connection.schema_name}:{order.code}:{order.secret_nonce}",
        algorithm="sha256",
    ).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode()


def find_order(code: str, secret: str) -> Order:
    """The order with this code, if `secret` is its secret; otherwise 404 (never saying which
    part was wrong)."""
    order = (
        Order.objects.select_related("event", "event__venue")
        .filter(code=normalize_order_code(code))
        .first()
    )
    # Compared as bytes: a non-ASCII secret is just a wrong one (hmac refuses non-ASCII str,
    # which was a 500 for real codes and a 404 for unknown ones, telling which codes exist).
    if order is None or not secrets_match(order_secret(order), secret):
        raise NotFound("No such order, or the link is incomplete.", code=ErrorCode.ORDER_NOT_FOUND)
    return order
