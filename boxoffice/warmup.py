"""Work a web process does once at start instead of on its first requests.

Django imports the URLconf, and with it every view, router and schema, on the first request a
process serves: ~1.6 s of CPU here. A worker that accepts connections before that stalls its
first customers (at an on-sale's opening, or after gunicorn recycles it mid-rush) for seconds
while it imports; tests/bench/RESULTS.md, "Ticket war", saw 2-3 s stalls at every start.
"""

from django.conf import settings
from django.urls import get_resolver


def load_urlconfs() -> None:
    """Import the organizer sites' and the platform site's URLconfs and build their lookups."""
    for urlconf in dict.fromkeys([settings.ROOT_URLCONF, settings.PUBLIC_SCHEMA_URLCONF]):
        resolver = get_resolver(urlconf)
        # Reading the reverse map imports the URLconf and populates the resolver.
        resolver.reverse_dict  # noqa: B018
