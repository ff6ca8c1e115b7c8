"""Builders for test data, one module per domain, each going through the real services.

organizers: users, organizers, members and signed-in clients; money: API money read back as
plain integers. A builder writes models directly only where a test needs a state no service
produces, and says why where it does.
"""
