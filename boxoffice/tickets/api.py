"""Tickets API for the organizer: signing keys (rotate, retire) and reissuing a ticket."""

import base64

from django.http import HttpRequest
from ninja import Router

from boxoffice.errors import NotFound
from boxoffice.tickets import services
from boxoffice.tickets.error_codes import ErrorCode
from boxoffice.tickets.models import SigningKey, Ticket
from boxoffice.tickets.schemas import SigningKeyOut, TicketOut
from tenants.permissions import require_role
from tenants.roles import Role

router = Router(tags=["tickets"])


def key_out(key: SigningKey) -> dict:
    return {
        "key_id": key.key_id,
        "key_id_hex": f"{key.key_id:08x}",
        "public_key": base64.b64encode(bytes(key.public_key)).decode(),
        "status": key.status,
        "created_at": key.created_at,
        "rotated_at": key.rotated_at,
        "retired_at": key.retired_at,
    }


def ticket_out(ticket: Ticket) -> dict:
    return {
        "id": ticket.pk,
        "uid": ticket.uid,
        "order": ticket.order.code,
        "seat": ticket.item.label,
        "category": ticket.item.category,
        "category_name": ticket.item.category_name,
        "description": ticket.item.line,
        "holder_name": ticket.holder_name,
        "status": ticket.status,
        "payload": ticket.payload,
        "issued_at": ticket.issued_at,
        "revoked_at": ticket.revoked_at,
        "revoke_reason": ticket.revoke_reason,
    }


@router.get("/signing-keys", response=list[SigningKeyOut], summary="Ticket-signing keys (admin)")
def list_keys(request: HttpRequest) -> list[dict]:
    require_role(request, Role.ADMIN)
    return [key_out(key) for key in SigningKey.objects.defer("encrypted_private_key")]


@router.post(
    "/signing-keys/rotate",
    response=SigningKeyOut,
    summary="Rotate: a new key signs new tickets; older keys keep verifying (admin)",
)
def rotate_key(request: HttpRequest) -> dict:
    actor = require_role(request, Role.ADMIN)
    return key_out(services.rotate_signing_key(actor=actor))


@router.post(
    "/signing-keys/{key_id}/retire",
    response=SigningKeyOut,
    summary="Retire a rotated-out key; valid tickets it signed are re-signed (admin)",
)
def retire_key(request: HttpRequest, key_id: int) -> dict:
    actor = require_role(request, Role.ADMIN)
    return key_out(services.retire_signing_key(key_id=key_id, actor=actor))


@router.post(
    "/tickets/{ticket_id}/reissue",
    response=TicketOut,
    summary="Reissue a ticket: new QR, the old one is revoked (admin)",
)
def reissue(request: HttpRequest, ticket_id: str) -> dict:
    actor = require_role(request, Role.ADMIN)
    ticket = Ticket.objects.filter(uid=ticket_id).first()
    if ticket is None:
        raise NotFound("No such ticket.", code=ErrorCode.TICKET_NOT_FOUND)
    new = services.reissue_ticket(ticket=ticket, actor=actor)
    return ticket_out(Ticket.objects.select_related("order", "item").get(pk=new.pk))
