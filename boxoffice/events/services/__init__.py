"""Every write of events, by what it changes: `events` (create, edit, status changes, the seat
inventory copied from a published map, blocks and released wheelchair spaces) and `pricing`
(price tables and category adjustments). Reads: `boxoffice.events.selectors` and
`boxoffice.events.prices`."""
