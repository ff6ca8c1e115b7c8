from django import template

from boxoffice.money_format import format_money

register = template.Library()


@register.filter(name="money")
def money(amount: int | None, currency: str) -> str:
    """{{ order.total|money:order.currency }}"""
    if amount is None:
        return ""
    return format_money(int(amount), currency)
