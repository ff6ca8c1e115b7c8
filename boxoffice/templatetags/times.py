from typing import Any

from django import template

from boxoffice import times

register = template.Library()


@register.simple_tag
def event_time(value: Any, where: Any, style: str = "long") -> str:
    """{% event_time event.starts_at event %} or {% event_time order.paid_at order.event "time" %}:
    the time in the event's zone (or a venue's, an organizer's, a zone name), naming the zone.
    The one way templates show a time (boxoffice.times)."""
    return times.format_time(value, where, style)
