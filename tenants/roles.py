"""Roles an organizer's members (and API tokens) hold, ranked owner > admin > staff."""

from django.db import models


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    STAFF = "staff", "Staff"

    @property
    def rank(self) -> int:
        return _RANK[self]

    def at_least(self, other: "Role") -> bool:
        return self.rank >= Role(other).rank


_RANK = {Role.OWNER: 3, Role.ADMIN: 2, Role.STAFF: 1}
