"""Venues, seat-map drafts and published versions, price categories, editor API (issue 3)."""
