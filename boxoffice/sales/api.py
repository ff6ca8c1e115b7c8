"""Holds, for customers: a bearer token in the URL is the only credential (no cookies, so no
CSRF), and creating holds is rate-limited per client address."""

from django.db import transaction
from django.http import HttpRequest
from ninja import Router, Status

from boxoffice.events.models import EventSeat
from boxoffice.sales import selectors
from boxoffice.sales.models import Hold
from boxoffice.sales.schemas import (
    BestAvailableIn,
    GeneralAdmissionIn,
    HoldCreatedOut,
    HoldIn,
    HoldOut,
    SeatsIn,
)
from boxoffice.sales.services import holds
from boxoffice.throttles import ClientRateThrottle

router = Router(tags=["holds"], auth=None)
hold_throttle = ClientRateThrottle("holds")


def hold_out(
    hold: Hold,
    *,
    seats: list[EventSeat] | list[dict] | None = None,
    together: bool | None = None,
    token: str | None = None,
) -> dict:
    """The answer about a hold; `seats` when the service just returned them (saves a query)."""
    answer = {
        "event": hold.event.uid,
        "status": hold.status,
        "expires_at": hold.expires_at,
        "max_expires_at": hold.max_expires_at,
        "seats": selectors.held_seats(hold) if seats is None else seats,
        "together": together,
    }
    if token is not None:
        answer["token"] = token
    return answer


@router.post(
    "/events/{event_id}/holds",
    response={201: HoldCreatedOut},
    throttle=[hold_throttle],
    summary="Start a hold (optionally with seats, best available or GA places)",
)
def create_hold(request: HttpRequest, event_id: str, payload: HoldIn) -> Status:
    if payload.seats and payload.best_available is None and payload.general_admission is None:
        # The on-sale rush: a new hold with chosen seats, the leanest path there is.
        hold, token, chosen = holds.start_hold_with_seats(event_id=event_id, refs=payload.seats)
        return Status(201, hold_out(hold, seats=chosen, token=token))
    event = selectors.find_event_for_holds(event_id)
    together = None
    seats: list[EventSeat] = []
    # The hold and its first claim stand or fall together: a refused claim leaves no hold.
    # Each claim returns all of the hold's seats, so the last one answers.
    with transaction.atomic():
        hold, token = holds.create_hold(event=event)
        if payload.seats:
            seats = holds.hold_seats(hold=hold, refs=payload.seats)
        if payload.best_available is not None:
            wanted = payload.best_available
            seats, together = holds.hold_best_available(
                hold=hold,
                category=wanted.category,
                quantity=wanted.quantity,
                allow_split=wanted.allow_split,
                accessible=wanted.accessible,
            )
        if payload.general_admission is not None:
            seats = holds.hold_general_admission(
                hold=hold,
                section=payload.general_admission.section,
                quantity=payload.general_admission.quantity,
            )
    return Status(201, hold_out(hold, seats=seats, together=together, token=token))


@router.get("/holds/{token}", response=HoldOut, summary="A hold and its seats")
def get_hold(request: HttpRequest, token: str) -> dict:
    hold = selectors.find_hold(token)
    holds.check_hold_live(hold)
    return hold_out(hold)


@router.delete("/holds/{token}", response={204: None}, summary="Release a hold and its seats")
def release_hold(request: HttpRequest, token: str) -> Status:
    holds.release_hold(hold=selectors.find_hold(token))
    return Status(204, None)


@router.post("/holds/{token}/seats", response=HoldOut, summary="Add seats (all or nothing)")
def add_seats(request: HttpRequest, token: str, payload: SeatsIn) -> dict:
    hold = selectors.find_hold(token)
    return hold_out(hold, seats=holds.hold_seats(hold=hold, refs=payload.seats))


@router.delete("/holds/{token}/seats/{path:ref}", response=HoldOut, summary="Give one seat back")
def remove_seat(request: HttpRequest, token: str, ref: str) -> dict:
    hold = selectors.find_hold(token)
    return hold_out(hold, seats=holds.release_seat(hold=hold, ref=ref))


@router.post(
    "/holds/{token}/best-available",
    response=HoldOut,
    summary="Add the best seats of a category (together in one row when possible)",
)
def add_best_available(request: HttpRequest, token: str, payload: BestAvailableIn) -> dict:
    hold = selectors.find_hold(token)
    seats, together = holds.hold_best_available(
        hold=hold,
        category=payload.category,
        quantity=payload.quantity,
        allow_split=payload.allow_split,
        accessible=payload.accessible,
    )
    return hold_out(hold, seats=seats, together=together)


@router.post(
    "/holds/{token}/general-admission", response=HoldOut, summary="Add general-admission places"
)
def add_general_admission(request: HttpRequest, token: str, payload: GeneralAdmissionIn) -> dict:
    hold = selectors.find_hold(token)
    seats = holds.hold_general_admission(
        hold=hold, section=payload.section, quantity=payload.quantity
    )
    return hold_out(hold, seats=seats)


@router.post("/holds/{token}/extend", response=HoldOut, summary="Extend a hold (bounded)")
def extend_hold(request: HttpRequest, token: str) -> dict:
    hold = holds.extend_hold(hold=selectors.find_hold(token))
    return hold_out(hold)
