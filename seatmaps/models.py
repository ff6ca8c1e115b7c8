"""Venues, seat maps (an editable draft each) and their published, immutable versions.

Lives in each organizer's schema. Public identifiers (`uid`) are random, so an id from one
organizer's site never names something on another's.
"""

import secrets

from django.db import models

UID_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read aloud or typed safely


def new_uid(prefix: str) -> str:
    return prefix + "".join(secrets.choice(UID_ALPHABET) for _ in range(12))


def venue_uid() -> str:
    return new_uid("ven_")


def seat_map_uid() -> str:
    return new_uid("map_")


class Venue(models.Model):
    uid = models.CharField(max_length=20, unique=True, default=venue_uid, editable=False)
    name = models.CharField(max_length=200)
    address = models.CharField(max_length=300, blank=True)
    city = models.CharField(max_length=100, blank=True)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166-1 alpha-2")
    timezone = models.CharField(max_length=64, default="UTC")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(country="") | models.Q(country__regex=r"^[A-Z]{2}$"),
                name="venue_country_iso",
            )
        ]

    def __str__(self) -> str:
        return self.name


class SeatMap(models.Model):
    """A venue's layout. The draft is edited in place under optimistic concurrency
    (`draft_version` goes up by one on every save); publishing freezes it into a version."""

    uid = models.CharField(max_length=20, unique=True, default=seat_map_uid, editable=False)
    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="seat_maps")
    name = models.CharField(max_length=200)
    draft = models.JSONField()
    draft_version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class SeatMapVersion(models.Model):
    """A published, immutable snapshot: events bind to one. A database trigger refuses any
    UPDATE or DELETE of versions and their seats and areas (migration 0002)."""

    seat_map = models.ForeignKey(SeatMap, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    document = models.JSONField()
    seat_count = models.PositiveIntegerField()
    ga_capacity = models.PositiveIntegerField()
    focal_x = models.FloatField()
    focal_y = models.FloatField()
    draft_version = models.PositiveIntegerField(help_text="The draft version it was made from.")
    published_by = models.CharField(max_length=254)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["seat_map", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["seat_map", "number"], name="seat_map_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.seat_map} v{self.number}"


class VersionSeat(models.Model):
    """One seat of a published version, normalized, with its absolute position."""

    version = models.ForeignKey(SeatMapVersion, on_delete=models.PROTECT, related_name="seats")
    section = models.CharField(max_length=32)
    section_name = models.CharField(max_length=64)
    row = models.CharField(max_length=16)
    label = models.CharField(max_length=16)
    category = models.CharField(max_length=32)
    x = models.FloatField()
    y = models.FloatField()
    accessible = models.BooleanField(default=False)
    restricted_view = models.BooleanField(default=False)
    companion = models.BooleanField(default=False)
    position = models.PositiveIntegerField(help_text="Order in the document: seats along a row.")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["version", "section", "row", "label"], name="version_seat_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.section}/{self.row}/{self.label}"


class VersionArea(models.Model):
    """A general-admission area of a published version."""

    version = models.ForeignKey(SeatMapVersion, on_delete=models.PROTECT, related_name="areas")
    section = models.CharField(max_length=32)
    section_name = models.CharField(max_length=64)
    category = models.CharField(max_length=32)
    capacity = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "section"], name="version_area_unique"),
            models.CheckConstraint(condition=models.Q(capacity__gt=0), name="area_capacity_gt_0"),
        ]

    def __str__(self) -> str:
        return f"{self.section} ({self.capacity})"
