"""Builders for test data, one module per domain, each going through the real services.

- organizers: users, organizers, members, clients for an organizer's site (signed in or not)
- seatmaps: hand-built seat-map documents, and a site for the seat-map API
- events: events on sale (published map, priced, published)
- orders: orders in a given state, and paid orders with their tickets
- checkin: a door (check-in list, devices) and the devices' calls
- payments: a shop used over HTTP (holds, checkouts, sandbox payments, provider events)
- stripe: Stripe's API faked at the SDK's HTTP boundary, and the objects it answers with
- money: API money read back as plain minor-unit integers
- races: threads on the real database (contenders released together, work on another
  connection)

A builder writes models directly only where a test needs a state no service produces, and says
why where it does.
"""
