"""Who is acting: a person, an integration token, a door device or the system itself.

Services take an `actor` so that permission checks and audit records speak about the same thing.
"""

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class ActorKind(StrEnum):
    USER = "user"
    TOKEN = "token"
    DEVICE = "device"
    SYSTEM = "system"


@dataclass(frozen=True)
class Actor:
    kind: ActorKind
    id: int | None
    label: str
    role: str | None = None
    is_supervisor: bool = False
    user: Any = None  # the tenants.User when kind is USER

    @classmethod
    def system(cls, label: str = "system") -> "Actor":
        return cls(kind=ActorKind.SYSTEM, id=None, label=label)
