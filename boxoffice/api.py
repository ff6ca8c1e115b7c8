"""The two JSON APIs: `/api/v1/` on organizer sites and `/api/platform/` on the platform site.

Each app contributes one Router; this module only mounts them. Errors take one shape on both
(boxoffice.api_errors), and their OpenAPI documents say so for every operation, with its
credentials (boxoffice.openapi).
"""

from ninja import Swagger

from boxoffice.api_errors import install_error_handlers
from boxoffice.error_codes import ErrorCode as KernelCode
from boxoffice.events.api import router as events_router
from boxoffice.events.error_codes import ErrorCode as EventCode
from boxoffice.events.pricing_api import router as pricing_router
from boxoffice.inputs import CheckedParser
from boxoffice.openapi import DocumentedAPI
from boxoffice.payments.api import router as payments_router
from boxoffice.payments.error_codes import ErrorCode as PaymentCode
from boxoffice.payments.platform_api import router as payments_platform_router
from boxoffice.sales.api import router as sales_router
from boxoffice.sales.error_codes import ErrorCode as SalesCode
from boxoffice.sales.reports_api import router as reports_router
from boxoffice.shop.error_codes import ErrorCode as ShopCode
from boxoffice.tickets.api import router as tickets_router
from boxoffice.tickets.error_codes import ErrorCode as TicketCode
from checkin.api import router as checkin_router
from checkin.error_codes import ErrorCode as CheckinCode
from seatmaps.api import router as seatmaps_router
from seatmaps.error_codes import ErrorCode as SeatMapCode
from tenants.api import router as identity_router
from tenants.audit_api import router as audit_router
from tenants.auth import OrganizerAuth
from tenants.error_codes import ErrorCode as TenantCode
from tenants.platform_api import router as platform_router


def _docs() -> Swagger:
    """Swagger UI from our own static files ("ninja" in INSTALLED_APPS), without the validator
    badge, which would send the spec to validator.swagger.io. One per API: ninja keeps the
    page's spec URL on the instance."""
    return Swagger(settings={"validatorUrl": None})


api_v1 = DocumentedAPI(
    organizer_site=True,
    title="Boxoffice organizer API",
    version="1",
    description=(
        "The API of one organizer's site (`<slug>.<base domain>/api/v1/`). Console calls use the "
        "session cookie plus the X-CSRFToken header; integrations send "
        "`Authorization: Bearer <api token>`. Errors are `{code, message, details}`."
    ),
    error_codes={
        "Any endpoint": KernelCode,
        "Organizers, members and tokens": TenantCode,
        "Venues and seat maps": SeatMapCode,
        "Events and prices": EventCode,
        "Holds, orders, refunds and reports": SalesCode,
        "Tickets": TicketCode,
        "Check-in": CheckinCode,
        "Payments": PaymentCode,
        "Live availability stream": ShopCode,
    },
    urls_namespace="api_v1",
    docs=_docs(),
    parser=CheckedParser(),
    auth=OrganizerAuth(),
)
api_v1.add_router("/", identity_router)
api_v1.add_router("/audit", audit_router)
api_v1.add_router("/", seatmaps_router)
api_v1.add_router("/", events_router)
api_v1.add_router("/", pricing_router)
api_v1.add_router("/", sales_router)
api_v1.add_router("/", tickets_router)
api_v1.add_router("/", checkin_router)
api_v1.add_router("/", payments_router)
api_v1.add_router("/", reports_router)
install_error_handlers(api_v1)

platform_api = DocumentedAPI(
    organizer_site=False,
    title="Boxoffice platform API",
    version="1",
    description=(
        "Signup, organizer administration and rejected or failed payment events on the "
        "platform site."
    ),
    error_codes={
        "Any endpoint": KernelCode,
        "Organizers, members and tokens": TenantCode,
        "Payments and the webhook endpoint": PaymentCode,
    },
    urls_namespace="platform_api",
    docs=_docs(),
    parser=CheckedParser(),
)
platform_api.add_router("/", platform_router)
platform_api.add_router("/", payments_platform_router)
install_error_handlers(platform_api)
