"""Sign every ticket that has no payload yet, once, here.

Tickets issued before payloads were signed at issue (migration 0002 added an empty `payload`)
used to be signed the first time their page, QR or API answer was rendered: a write on a read
path. This does it at upgrade instead, so a ticket always carries its signed payload and every
read only reads it. It uses the payload format and key handling of `boxoffice.tickets.payload`
and `keys` (pure functions: the format is version 1, frozen by tests/tickets), with the
historical models. An organizer with unsigned tickets and no key yet gets its first signing key
here, recorded in its audit log as the issuing service would.
"""

from django.db import migrations
from django.utils import timezone

from boxoffice.tickets import keys
from boxoffice.tickets.payload import sign_payload

SIGNING = "signing"


def _signing_key(apps, schema_name: str):
    SigningKey = apps.get_model("tickets", "SigningKey")
    key = SigningKey.objects.filter(status=SIGNING).first()
    if key is None:
        key_id = keys.new_key_id()
        public, encrypted = keys.generate_key_pair(schema_name=schema_name, key_id=key_id)
        key = SigningKey.objects.create(
            key_id=key_id, public_key=public, encrypted_private_key=encrypted, status=SIGNING
        )
        apps.get_model("audit", "AuditEntry").objects.create(
            actor_kind="system", actor_label="tickets", action="signing_key.created",
            target_type="signing_key", target_id=f"{key.key_id:08x}",
        )  # fmt: skip
    return key


def sign_unsigned_tickets(apps, schema_editor) -> None:
    Ticket = apps.get_model("tickets", "Ticket")
    unsigned = list(Ticket.objects.filter(payload="").only("id", "event_id"))
    if not unsigned:
        return
    schema_name = schema_editor.connection.schema_name
    key = _signing_key(apps, schema_name)
    private = keys.decrypt_private_key(
        schema_name=schema_name, key_id=key.key_id, encrypted=bytes(key.encrypted_private_key)
    )
    now = timezone.now()
    for ticket in unsigned:
        ticket.payload = sign_payload(
            private_key=private, key_id=key.key_id, ticket_id=ticket.pk, event_id=ticket.event_id
        )
        ticket.signing_key_id = key.pk
        ticket.updated_at = now
    Ticket.objects.bulk_update(unsigned, ["payload", "signing_key", "updated_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        ("tickets", "0003_ticket_payment"),
    ]

    operations = [migrations.RunPython(sign_unsigned_tickets, migrations.RunPython.noop)]
