"""Staff credentials: what lets a supervisor override a denial on a device that is offline.

A signed-in supervisor (or admin) asks the server for one; it is a short-lived statement signed
with the organizer's current ticket-signing key:

    base64url(JSON claims) "." base64url(Ed25519 signature over PREFIX + JSON bytes)

claims: v (1), kid (signing key id), org (organizer slug), sub (user id), name (email), role,
sup (supervisor flag), iat and exp (Unix seconds), jti (random id). A device checks the
signature with the public keys of its manifest and the expiry against its clock; the server
checks it again at sync, against the scan's time and the member's current role.
"""

import base64
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import connection
from django.utils import timezone

from boxoffice.actors import Actor, ActorKind
from boxoffice.errors import Forbidden, NotFound
from boxoffice.tickets import keys
from boxoffice.tickets.selectors import trusted_keys
from boxoffice.tickets.services import message_signer
from checkin.error_codes import ErrorCode
from tenants.models import Organizer, User
from tenants.permissions import check_role, member_actor
from tenants.roles import Role

PREFIX = b"boxoffice.staff-credential.v1."
DEFAULT_LIFETIME = timedelta(hours=8)
MAX_LIFETIME = timedelta(hours=12)
MAX_LENGTH = 1024


@dataclass(frozen=True)
class StaffCredential:
    id: str
    user_id: int
    name: str
    role: str
    is_supervisor: bool
    issued_at: datetime
    expires_at: datetime


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def issue_staff_credential(
    *, organizer: Organizer, actor: Actor, lifetime: timedelta = DEFAULT_LIFETIME
) -> tuple[str, StaffCredential]:
    """A credential for `actor` (a supervisor or admin person) to carry to offline devices."""
    check_role(actor, Role.STAFF, supervisor=True)
    if actor.kind != ActorKind.USER:
        raise Forbidden("Staff credentials are for people, not API tokens.")
    lifetime = min(max(lifetime, timedelta(minutes=5)), MAX_LIFETIME)
    now = timezone.now().replace(microsecond=0)
    claims = {
        "v": 1,
        "org": organizer.slug,
        "sub": actor.id,
        "name": actor.label,
        "role": actor.role,
        "sup": actor.is_supervisor,
        "iat": int(now.timestamp()),
        "exp": int((now + lifetime).timestamp()),
        "jti": secrets.token_hex(8),
    }
    claims["kid"], sign = message_signer()
    body = json.dumps(claims, separators=(",", ":"), sort_keys=True).encode()
    text = f"{_b64(body)}.{_b64(sign(PREFIX + body))}"
    return text, _credential(claims)


def _credential(claims: dict) -> StaffCredential:
    return StaffCredential(
        id=claims["jti"],
        user_id=claims["sub"],
        name=claims["name"],
        role=claims["role"],
        is_supervisor=bool(claims["sup"]),
        issued_at=datetime.fromtimestamp(claims["iat"], tz=UTC),
        expires_at=datetime.fromtimestamp(claims["exp"], tz=UTC),
    )


def verify_staff_credential(
    text: str, *, organizer: Organizer, at: datetime
) -> tuple[StaffCredential, Actor]:
    """The credential and the person behind it, if it is genuine, was valid at `at`, and they
    may still override here; Forbidden (code `invalid_credential`) otherwise."""

    def refuse(why: str) -> Forbidden:
        return Forbidden(
            f"The staff credential is not accepted: {why}.",
            code=ErrorCode.INVALID_CREDENTIAL,
        )

    if not isinstance(text, str) or len(text) > MAX_LENGTH or text.count(".") != 1:
        raise refuse("malformed")
    body_text, signature_text = text.split(".")
    try:
        body, signature = _unb64(body_text), _unb64(signature_text)
        claims = json.loads(body)
        key_id = int(claims["kid"])
        credential = _credential(claims)
        org = claims["org"]
    except (ValueError, KeyError, TypeError) as exc:
        raise refuse("malformed") from exc
    public = trusted_keys().get(key_id)
    if public is None:
        raise refuse("unknown key")
    if not keys.verify(public, signature, PREFIX + body):
        raise refuse("bad signature")
    if org != organizer.slug or connection.schema_name != organizer.schema_name:
        raise refuse("issued by another organizer")
    if not (credential.issued_at - timedelta(minutes=5) <= at <= credential.expires_at):
        raise refuse("expired at the time of the scan")
    user = User.objects.filter(pk=credential.user_id).first()
    actor = member_actor(user, organizer) if user is not None else None
    try:
        actor = check_role(actor, Role.STAFF, supervisor=True)
    except NotFound as exc:
        raise refuse("the person is no longer a member") from exc
    except Forbidden as exc:
        raise refuse("the person may no longer override") from exc
    return credential, actor
