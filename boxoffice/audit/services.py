from typing import Any

from boxoffice.actors import Actor
from boxoffice.audit.models import AuditEntry


def record_audit(
    *,
    actor: Actor,
    action: str,
    target_type: str = "",
    target_id: object = "",
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append to the current organizer's audit log (the connection's schema decides which)."""
    return AuditEntry.objects.create(
        actor_kind=actor.kind.value,
        actor_id=actor.id,
        actor_label=actor.label,
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        data=data or {},
    )
