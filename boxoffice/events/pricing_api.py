"""An event's price table: staff may read it, admins and owners change it."""

from django.http import HttpRequest
from ninja import Router

from boxoffice.events import prices, selectors
from boxoffice.events.models import Event
from boxoffice.events.pricing_schemas import (
    PriceAdjustIn,
    PriceAdjustOut,
    PriceTableIn,
    PriceTableOut,
)
from boxoffice.events.services import pricing
from tenants.permissions import require_role
from tenants.roles import Role

router = Router(tags=["prices"])


def _event(event_id: str) -> Event:
    return selectors.event_by_id(event_id, include_unpublished=True)


@router.get("/events/{event_id}/prices", response=PriceTableOut, summary="The price table")
def get_prices(request: HttpRequest, event_id: str) -> dict:
    require_role(request, Role.STAFF)
    return prices.price_table(event=_event(event_id))


@router.put(
    "/events/{event_id}/prices",
    response=PriceTableOut,
    summary="Replace the whole price table (admin)",
)
def put_prices(request: HttpRequest, event_id: str, payload: PriceTableIn) -> dict:
    actor = require_role(request, Role.ADMIN)
    event = _event(event_id)
    pricing.set_price_table(
        actor=actor,
        event=event,
        ticket_types=[item.model_dump() for item in payload.ticket_types],
        phases=[item.model_dump() for item in payload.phases],
        prices=[item.model_dump() for item in payload.prices],
    )
    return prices.price_table(event=event)


@router.post(
    "/events/{event_id}/prices/adjust",
    response=PriceAdjustOut,
    summary="Change a category's amounts by a percentage or an amount (admin)",
)
def adjust_prices(request: HttpRequest, event_id: str, payload: PriceAdjustIn) -> dict:
    actor = require_role(request, Role.ADMIN)
    event = _event(event_id)
    changed = pricing.adjust_category_prices(
        actor=actor,
        event=event,
        category=payload.category,
        percent=payload.percent,
        amount_delta=payload.amount_delta,
        phase=payload.phase,
        ticket_type=payload.ticket_type,
    )
    return {"changed": changed, "table": prices.price_table(event=event)}
