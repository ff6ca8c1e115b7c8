from django_tenants.utils import get_public_schema_name, schema_context

from boxoffice.payments.flows import reconcile_payments
from tenants.models import Organizer


def reconcile_payments_everywhere() -> dict[str, int]:
    """Scheduled every minute: in each organizer's schema, ask the provider about orders past
    their payment window and retry refunds the provider has not confirmed."""
    totals = {"orders": 0, "refunds": 0}
    schemas = Organizer.objects.exclude(schema_name=get_public_schema_name()).values_list(
        "schema_name", flat=True
    )
    for schema in schemas:
        with schema_context(schema):
            for name, count in reconcile_payments().items():
                totals[name] += count
    return totals
