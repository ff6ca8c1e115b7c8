"""Platform-wide tables of the core app (public schema)."""

from django.db import models


class RateCounter(models.Model):
    """One client's allowed requests under one rate limit, in the current fixed window and the one
    before (boxoffice/throttles.py). Rows past `expires_at` say nothing any more and are culled."""

    key = models.TextField(primary_key=True)
    window_index = models.BigIntegerField(help_text="Current window: its start / its length.")
    hits = models.IntegerField(help_text="Allowed requests in the current window.")
    previous_hits = models.IntegerField(help_text="Allowed requests in the window before.")
    allowed = models.BooleanField(help_text="Whether the last request was allowed.")
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.key}: {self.hits} (+{self.previous_hits} before)"
