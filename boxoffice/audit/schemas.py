from datetime import datetime
from typing import Any

from ninja import Schema


class AuditEntryOut(Schema):
    id: int
    actor_kind: str
    actor_label: str
    action: str
    target_type: str
    target_id: str
    data: dict[str, Any]
    created_at: datetime
