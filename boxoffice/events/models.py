"""Events, their seat inventory and their prices. In each organizer's schema."""

from datetime import datetime

from django.db import models
from django.db.models import F, Q

from seatmaps.models import SeatMapVersion, Venue, new_uid


def event_uid() -> str:
    return new_uid("evt_")


class Event(models.Model):
    class Category(models.TextChoices):
        MOVIE = "movie", "Movie"
        CONCERT = "concert", "Concert"
        SPORTS = "sports", "Sports"
        THEATER = "theater", "Theater"
        COMEDY = "comedy", "Comedy"
        CONFERENCE = "conference", "Conference"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ON_SALE = "on_sale", "On sale"
        PAUSED = "paused", "Paused"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"

    class Sales(models.TextChoices):
        """Whether customers may buy now: the status and the sales window together."""

        OPEN = "open", "On sale"
        NOT_ON_SALE = "not_on_sale", "Not on sale"
        NOT_STARTED = "not_started", "Sales not open yet"
        ENDED = "ended", "Sales ended"

    uid = models.CharField(max_length=20, unique=True, default=event_uid, editable=False)
    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    category = models.CharField(max_length=16, choices=Category.choices, default=Category.OTHER)
    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="events")
    seat_map_version = models.ForeignKey(
        SeatMapVersion, on_delete=models.PROTECT, related_name="events"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    timezone = models.CharField(max_length=64)
    sales_start = models.DateTimeField(null=True, blank=True)
    sales_end = models.DateTimeField(null=True, blank=True)
    max_seats_per_order = models.PositiveSmallIntegerField(default=6)
    hold_minutes = models.PositiveSmallIntegerField(default=10)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    # Lowest price across categories and ticket types, kept by the pricing service so that the
    # public listing can filter by price without joining prices.
    min_price = models.PositiveIntegerField(null=True, blank=True)
    max_price = models.PositiveIntegerField(null=True, blank=True)
    # Money lines added at checkout (boxoffice/sales/checkout.py): a fee per ticket in minor
    # units, and tax at `tax_rate` percent, either included in the prices or added on top.
    fee_per_ticket = models.PositiveIntegerField(default=0)
    tax_rate = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    tax_inclusive = models.BooleanField(default=True)
    # Customer self-service cancellation: [{"days_before": 14, "percent": 100}, ...]; the tier
    # with the largest `days_before` still ahead of the start applies; none left, no refund.
    refund_policy = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["status", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="event_ends_after"
            ),
            models.CheckConstraint(
                condition=Q(max_seats_per_order__gte=1, max_seats_per_order__lte=50),
                name="event_max_seats_range",
            ),
            models.CheckConstraint(
                condition=Q(hold_minutes__gte=1, hold_minutes__lte=60),
                name="event_hold_minutes_range",
            ),
            models.CheckConstraint(
                condition=Q(tax_rate__gte=0, tax_rate__lte=100), name="event_tax_rate_range"
            ),
            models.CheckConstraint(
                condition=Q(sales_end__isnull=True)
                | Q(sales_start__isnull=True)
                | Q(sales_end__gt=F("sales_start")),
                name="event_sales_window_order",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def sales_state(self, at: datetime) -> "Event.Sales":
        """The one rule for "can customers buy at `at`?", shared by holds and the shop."""
        if self.status != self.Status.ON_SALE:
            return self.Sales.NOT_ON_SALE
        if self.sales_start and at < self.sales_start:
            return self.Sales.NOT_STARTED
        if self.sales_end and at >= self.sales_end:
            return self.Sales.ENDED
        return self.Sales.OPEN


class EventSeat(models.Model):
    """One sellable place: a seat, or one spot of a general-admission area.

    The reservation engine claims these rows with single conditional UPDATEs (see
    boxoffice/sales/README.md); a `held` row whose `held_until` has passed counts as available.
    """

    class Status(models.TextChoices):
        AVAILABLE = "available", "Available"
        HELD = "held", "Held"
        SOLD = "sold", "Sold"
        BLOCKED = "blocked", "Blocked"

    class Kind(models.TextChoices):
        SEAT = "seat", "Seat"
        SPOT = "spot", "General-admission spot"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="seats")
    ref = models.CharField(max_length=64, help_text="section/row/seat, or section#n for spots")
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.SEAT)
    section = models.CharField(max_length=32)
    row = models.CharField(max_length=16, blank=True)
    label = models.CharField(max_length=16)
    category = models.CharField(max_length=32)
    position = models.PositiveIntegerField(help_text="Order in the availability snapshot.")
    seat_index = models.PositiveIntegerField(
        help_text="Left-to-right place in its row (adjacency for best available)."
    )
    rank = models.FloatField(help_text="How good the seat is, lower is better (events/ranking.py).")
    # Copied from the published seat map (seatmaps.VersionSeat); never set on GA spots.
    accessible = models.BooleanField(default=False, help_text="A wheelchair space.")
    companion = models.BooleanField(
        default=False, help_text="A companion seat, beside a wheelchair space."
    )
    restricted_view = models.BooleanField(default=False)
    # Wheelchair spaces and companion seats are kept for customers who ask for accessible
    # seating (best available skips them otherwise) until the organizer releases them for
    # general sale (boxoffice/sales/README.md, "Accessible seating").
    access_released = models.BooleanField(default=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.AVAILABLE)
    hold_id = models.BigIntegerField(null=True, blank=True)
    held_until = models.DateTimeField(null=True, blank=True)
    order_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "ref"], name="event_seat_ref_unique"),
            models.UniqueConstraint(
                fields=["event", "position"], name="event_seat_position_unique"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["available", "held", "sold", "blocked"]),
                name="event_seat_status_valid",
            ),
            # A held seat names its hold and its deadline; a sold seat its order.
            models.CheckConstraint(
                condition=~Q(status="held") | Q(hold_id__isnull=False, held_until__isnull=False),
                name="event_seat_held_has_hold",
            ),
            models.CheckConstraint(
                condition=~Q(status="sold") | Q(order_id__isnull=False),
                name="event_seat_sold_has_order",
            ),
        ]
        indexes = [
            models.Index(fields=["event", "category", "status", "rank"]),
            models.Index(fields=["hold_id"], condition=Q(hold_id__isnull=False), name="seat_hold"),
        ]

    def __str__(self) -> str:
        return self.ref

    def notes(self) -> list[str]:
        """What a customer should know about this place, in the shop legend's words. Released
        for general sale, a wheelchair space or companion seat is sold as an ordinary seat (the
        shop's map draws it as one) and is not called one."""
        kept = not self.access_released
        flags = ((self.accessible and kept, "Wheelchair space"),
                 (self.companion and kept, "Companion seat"),
                 (self.restricted_view, "Restricted view"))  # fmt: skip
        return [words for flagged, words in flags if flagged]


class TicketType(models.Model):
    """Adult, child, concession...: what a buyer chooses per seat."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="ticket_types")
    code = models.SlugField(max_length=32)
    name = models.CharField(max_length=64)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["event", "code"], name="ticket_type_unique")]

    def __str__(self) -> str:
        return self.name


class PricePhase(models.Model):
    """A pricing period: e.g. early bird `until` a moment, then regular (no `until`). The phase
    in force at time t is the one with the earliest `until` after t, else the open-ended one."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="price_phases")
    code = models.SlugField(max_length=32)
    name = models.CharField(max_length=64)
    until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = [F("until").asc(nulls_last=True), "id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "code"], name="price_phase_unique"),
            models.UniqueConstraint(
                fields=["event"], condition=Q(until__isnull=True), name="one_open_ended_phase"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Price(models.Model):
    """The amount, in minor units of the organizer's currency, of one ticket type in one seat
    category during one phase."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="prices")
    category = models.CharField(max_length=32)
    ticket_type = models.ForeignKey(TicketType, on_delete=models.CASCADE, related_name="prices")
    phase = models.ForeignKey(PricePhase, on_delete=models.CASCADE, related_name="prices")
    amount = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["event", "category", "ticket_type", "phase"], name="price_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.category}/{self.ticket_type_id}/{self.phase_id}: {self.amount}"
