"""An order's event as an iCalendar file (RFC 5545), for the customer's calendar."""

from datetime import UTC, datetime

from boxoffice.sales.models import Order
from boxoffice.times import format_time


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space."""
    data = line.encode()
    if len(data) <= 75:
        return line
    parts, start = [], 0
    while start < len(data):
        end = min(start + (75 if not parts else 74), len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:  # never split a character
            end -= 1
        parts.append(data[start:end].decode())
        start = end
    return "\r\n ".join(parts)


def _stamp(moment: datetime) -> str:
    # UTC with Z (RFC 5545 form 2) needs no VTIMEZONE: calendars show it in the reader's zone,
    # and the description names the event's own local time.
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def order_calendar(order: Order, *, host: str, url: str) -> str:
    event, venue = order.event, order.event.venue
    place = ", ".join(part for part in (venue.name, venue.address, venue.city) if part)
    seats = ", ".join(item.label for item in order.items.all() if item.status == "active")
    starts = f"{format_time(event.starts_at, event)} ({event.timezone})"
    description = f"Starts {starts}. Order {order.code}. Seats: {seats}. Tickets: {url}"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Boxoffice//Shop//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{order.code}-{event.uid}@{host}",
        f"DTSTAMP:{_stamp(datetime.now(UTC))}",
        f"DTSTART:{_stamp(event.starts_at)}",
        f"DTEND:{_stamp(event.ends_at)}",
        f"SUMMARY:{_escape(event.title)}",
        f"LOCATION:{_escape(place)}",
        f"DESCRIPTION:{_escape(description)}",
        f"URL:{url}",
        "STATUS:CANCELLED" if event.status == "cancelled" else "STATUS:CONFIRMED",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
