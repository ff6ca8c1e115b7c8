"""Holds: a customer's claim on seats for a few minutes. In each organizer's schema."""

from django.db import models
from django.db.models import F, Q

from boxoffice.events.models import Event


class Hold(models.Model):
    """Reached by a random bearer token (only its SHA-256 is stored). The seats it holds are the
    EventSeat rows with `hold_id` = this id, status `held` and `held_until` in the future."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        RELEASED = "released", "Released"
        CONVERTED = "converted", "Converted to an order"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="holds")
    token_hash = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    expires_at = models.DateTimeField()
    max_expires_at = models.DateTimeField(help_text="Extensions never go past this.")
    extensions = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__lte=F("max_expires_at")), name="hold_within_lifetime"
            )
        ]
        indexes = [models.Index(fields=["status", "expires_at"])]

    def __str__(self) -> str:
        return f"hold {self.pk} ({self.status})"
