from decimal import Decimal

from django import template
from django.utils.html import json_script

from boxoffice.currencies import browser_money_format, format_money, format_rate

register = template.Library()


@register.filter(name="money")
def money(amount: int | None, currency: str) -> str:
    """{{ order.total|money:order.currency }}, in the organizer's locale."""
    if amount is None:
        return ""
    return format_money(int(amount), currency)


@register.filter(name="rate")
def rate(value: Decimal | None) -> str:
    """{{ event.tax_rate|rate }}: "19%", "7.5%", in the organizer's locale."""
    if value is None:
        return ""
    return format_rate(Decimal(value))


@register.simple_tag(takes_context=True)
def money_format_script(context: template.Context) -> str:
    """The currency digits and locale the shop's JavaScript formats with (shop/money.js), from
    the same CLDR data as `money`: <script id="money-format" type="application/json">."""
    organizer = context["request"].tenant
    return json_script(
        browser_money_format([organizer.currency], locale=organizer.locale), "money-format"
    )
