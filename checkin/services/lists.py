"""Check-in lists: create and change which seat categories a door admits and whether it
allows re-entry."""

from django.db import IntegrityError, transaction

from boxoffice.actors import Actor
from boxoffice.audit.services import record_audit
from boxoffice.error_codes import ErrorCode as KernelCode
from boxoffice.errors import Conflict, Invalid
from boxoffice.events.models import Event
from checkin.error_codes import ErrorCode
from checkin.models import CheckinList
from seatmaps.error_codes import ErrorCode as SeatMapCode


def _clean_categories(event: Event, categories: list[str]) -> list[str]:
    wanted = sorted({category.strip() for category in categories if category.strip()})
    known = set(event.seats.values_list("category", flat=True).distinct())
    unknown = [category for category in wanted if category not in known]
    if unknown:
        raise Invalid(
            "The event has no seats in these categories.",
            code=SeatMapCode.UNKNOWN_CATEGORY,
            unknown=unknown,
        )
    return wanted


def create_checkin_list(
    *, event: Event, name: str, categories: list[str], allow_reentry: bool, actor: Actor
) -> CheckinList:
    name = name.strip()
    if not name:
        raise Invalid("Name the check-in list.", code=KernelCode.INVALID_NAME)
    categories = _clean_categories(event, categories)
    try:
        with transaction.atomic():
            checkin_list = CheckinList.objects.create(
                event=event, name=name, categories=categories, allow_reentry=allow_reentry
            )
            record_audit(
                actor=actor,
                action="checkin_list.created",
                target_type="checkin_list",
                target_id=checkin_list.uid,
                data={"event": event.uid, "name": name, "categories": categories},
            )
    except IntegrityError as exc:
        raise Conflict("The event has a list of that name.", code=ErrorCode.NAME_TAKEN) from exc
    return checkin_list


def update_checkin_list(
    *,
    checkin_list: CheckinList,
    actor: Actor,
    name: str | None = None,
    categories: list[str] | None = None,
    allow_reentry: bool | None = None,
) -> CheckinList:
    if name is not None:
        if not name.strip():
            raise Invalid("Name the check-in list.", code=KernelCode.INVALID_NAME)
        checkin_list.name = name.strip()
    if categories is not None:
        checkin_list.categories = _clean_categories(checkin_list.event, categories)
    if allow_reentry is not None:
        checkin_list.allow_reentry = allow_reentry
    try:
        with transaction.atomic():
            checkin_list.save()
            record_audit(
                actor=actor,
                action="checkin_list.updated",
                target_type="checkin_list",
                target_id=checkin_list.uid,
                data={
                    "name": checkin_list.name,
                    "categories": checkin_list.categories,
                    "allow_reentry": checkin_list.allow_reentry,
                },
            )
    except IntegrityError as exc:
        raise Conflict("The event has a list of that name.", code=ErrorCode.NAME_TAKEN) from exc
    return checkin_list
