"""Money in the JSON APIs: one schema, `Money`, for every amount an API answers with.

`{"amount": 2600, "currency": "EUR", "unit": "minor"}`: an integer in the currency's minor unit
as CLDR defines it (boxoffice.currencies: 2600 EUR is 26.00, 5250 KWD is 5.250, 1200 JPY is
1,200). Endpoints keep building plain integers; a schema field typed `MinorAmount` wraps each
one with the currency of the object it belongs to: the nearest enclosing schema that has a
`currency` field and inherits `CurrencyScope` (an order, a quote, a report), else the
organizer's, from the request.
"""

from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import BeforeValidator, ValidationInfo, model_validator


class Money(Schema):
    amount: int = Field(..., description="In the currency's minor unit (CLDR's digits)")
    currency: str = Field(..., description="ISO 4217", min_length=3, max_length=3)
    unit: Literal["minor"] = Field("minor", description="Always minor units")


def _context_currency(info: ValidationInfo) -> str:
    context = info.context or {}
    if context.get("currency"):
        return context["currency"]
    request = context.get("request")
    tenant = getattr(request, "tenant", None)
    return getattr(tenant, "currency", "") or ""


def _wrap(value: Any, info: ValidationInfo) -> Any:
    if value is None or isinstance(value, dict | Money):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return {"amount": value, "currency": _context_currency(info), "unit": "minor"}
    return value


MinorAmount = Annotated[Money, BeforeValidator(_wrap)]


def money(amount: int, currency: str) -> dict:
    return {"amount": amount, "currency": currency.upper(), "unit": "minor"}


class CurrencyScope(Schema):
    """A schema whose own `currency` is that of the amounts inside it (and of the schemas
    nested in it, validated after it)."""

    @model_validator(mode="before")
    @classmethod
    def _scope_currency(cls, data: Any, info: ValidationInfo) -> Any:
        currency = (
            data.get("currency") if isinstance(data, dict) else getattr(data, "currency", None)
        )
        if currency and isinstance(info.context, dict):
            info.context["currency"] = currency
        return data
