"""Promo codes: created and changed by the organizer, taken at checkout (orders.place_order)."""

from datetime import datetime

from django.db import IntegrityError, transaction

from boxoffice.actors import Actor
from boxoffice.audit.services import record_audit
from boxoffice.currencies import check_payable, current_currency
from boxoffice.error_codes import ErrorCode as KernelCode
from boxoffice.errors import Conflict, Invalid, NotFound
from boxoffice.events.models import Event
from boxoffice.sales.error_codes import ErrorCode
from boxoffice.sales.models import PromoCode


def _check(kind: str, value: int, valid_from: datetime | None, valid_until: datetime | None):
    if kind not in PromoCode.Kind.values:
        raise Invalid("A promo code is 'percent' or 'fixed'.", code=ErrorCode.INVALID_PROMO_KIND)
    if kind == PromoCode.Kind.PERCENT and not 1 <= value <= 100:
        raise Invalid("A percentage is 1 to 100.", code=ErrorCode.INVALID_PROMO_VALUE)
    if value < 1:
        raise Invalid("The value must be positive.", code=ErrorCode.INVALID_PROMO_VALUE)
    if kind == PromoCode.Kind.FIXED:
        check_payable(value, current_currency(), what="The discount")
    if valid_from and valid_until and valid_until <= valid_from:
        raise Invalid(
            "The code must stop being valid after it starts.",
            code=KernelCode.INVALID_DATES,
        )


def create_promo_code(
    *,
    actor: Actor,
    event: Event,
    code: str,
    kind: str,
    value: int,
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
    max_uses: int | None = None,
    active: bool = True,
) -> PromoCode:
    _check(kind, value, valid_from, valid_until)
    try:
        with transaction.atomic():
            promo = PromoCode.objects.create(
                event=event, code=code.strip().upper(), kind=kind, value=value,
                valid_from=valid_from, valid_until=valid_until, max_uses=max_uses, active=active,
            )  # fmt: skip
            record_audit(
                actor=actor, action="promo_code.created", target_type="event",
                target_id=event.uid, data={"code": promo.code, "kind": kind, "value": value},
            )  # fmt: skip
    except IntegrityError as exc:
        raise Conflict(
            f"The code {code.upper()} exists already.",
            code=ErrorCode.PROMO_CODE_TAKEN,
        ) from exc
    return promo


def update_promo_code(*, actor: Actor, event: Event, code: str, changes: dict) -> PromoCode:
    with transaction.atomic():
        promo = PromoCode.objects.select_for_update().filter(event=event, code=code.upper()).first()
        if promo is None:
            raise NotFound("No such promo code.", code=ErrorCode.PROMO_CODE_NOT_FOUND)
        for name in ("value", "valid_from", "valid_until", "max_uses", "active"):
            if name in changes:
                setattr(promo, name, changes[name])
        _check(promo.kind, promo.value, promo.valid_from, promo.valid_until)
        if promo.max_uses is not None and promo.max_uses < promo.used:
            raise Invalid(
                f"It has been used {promo.used} times already.",
                code=ErrorCode.INVALID_MAX_USES,
            )
        promo.save()
        record_audit(
            actor=actor, action="promo_code.updated", target_type="event", target_id=event.uid,
            data={"code": promo.code, "changed": sorted(changes)},
        )  # fmt: skip
    return promo
