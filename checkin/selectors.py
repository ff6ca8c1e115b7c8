"""Reads of check-in: the offline manifest (full or delta by cursor) and live counts."""

import hashlib
import json
import re
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone

from boxoffice.errors import Invalid
from boxoffice.tickets.models import Ticket
from boxoffice.tickets.selectors import CHANGED_SINCE, DOOR_FIELDS, door_tickets
from checkin.error_codes import ErrorCode
from checkin.models import Admission, CheckinList, Scan
from checkin.presenters import keys_out

MANIFEST_FORMAT = 1
CURSOR_PREFIX = "s1."
TICKET_FIELDS = DOOR_FIELDS
ADMITTED_FIELDS = ["ticket", "inside", "admitted_at", "gate"]

ADMITTED_SQL = """
SELECT a.ticket_id, a.inside, a.admitted_at, coalesce(s.gate, '')
FROM checkin_admission a
LEFT JOIN checkin_scan s ON s.id = a.first_scan_id
WHERE a.checkin_list_id = %(list)s {since}
ORDER BY a.ticket_id
"""


SNAPSHOT = re.compile(r"\d{1,20}:\d{1,20}:(\d{1,20}(,\d{1,20}){0,9999})?")


def parse_cursor(cursor: str | None, *, now: str | None = None) -> tuple[int, str] | None:
    """(xmin, snapshot text) of a cursor the manifest gave out; None for a full manifest.

    Well-formed is not enough: the snapshot must be one PostgreSQL could have taken (xmin <= each
    in-progress id < xmax, ascending) and not later than `now`, the current snapshot (a cursor
    from the future would skip every change until then, and past bigint it was a 500)."""
    if not cursor:
        return None
    snapshot = cursor[len(CURSOR_PREFIX) :]
    if not cursor.startswith(CURSOR_PREFIX) or not SNAPSHOT.fullmatch(snapshot):
        raise Invalid(
            "This cursor is not one the manifest gave out.",
            code=ErrorCode.INVALID_CURSOR,
        )
    xmin, xmax, in_progress = _snapshot_parts(snapshot)
    latest = _snapshot_parts(now)[1] if now else None
    if (
        xmin > xmax
        or any(not xmin <= xid < xmax for xid in in_progress)
        or in_progress != sorted(in_progress)
        or (latest is not None and xmax > latest)
    ):
        raise Invalid(
            "This cursor is not one the manifest gave out.",
            code=ErrorCode.INVALID_CURSOR,
        )
    return xmin, snapshot


def _snapshot_parts(snapshot: str) -> tuple[int, int, list[int]]:
    xmin, xmax, in_progress = snapshot.split(":")
    return int(xmin), int(xmax), [int(xid) for xid in in_progress.split(",") if xid]


@dataclass
class Manifest:
    body: dict
    etag: str


def _current_snapshot() -> str:
    """Which transactions had committed as this read began ("xmin:xmax:in-progress ids"). Every
    row changed by a transaction visible in it is in this manifest (the queries run after it);
    the next delta sends the rows of every transaction that was not."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_snapshot()::text")
        return cursor.fetchone()[0]


def build_manifest(checkin_list: CheckinList, *, cursor: str | None = None) -> Manifest:
    """What a device needs to check this list offline: keys, tickets (with status), revoked
    ids and the admitted set. With a cursor, only rows changed since it (plus possibly a few
    already sent: applying them twice is harmless)."""
    next_cursor = _current_snapshot()
    since = parse_cursor(cursor, now=next_cursor)
    params = {"list": checkin_list.pk}
    tickets = door_tickets(event_id=checkin_list.event_id, since=since)
    with connection.cursor() as db:
        if since is None:
            db.execute(ADMITTED_SQL.format(since=""), params)
        else:
            db.execute(ADMITTED_SQL.format(since=CHANGED_SINCE.format(table="a")),
                       {**params, "xmin": since[0], "snapshot": since[1]})  # fmt: skip
        admitted = [
            [ticket, inside, admitted_at.isoformat(), gate]
            for ticket, inside, admitted_at, gate in db.fetchall()
        ]
    event = checkin_list.event
    content = {
        "format": MANIFEST_FORMAT,
        "list": {
            "id": checkin_list.uid,
            "name": checkin_list.name,
            "categories": checkin_list.categories,
            "allow_reentry": checkin_list.allow_reentry,
            "event": {
                "id": event.pk,
                "uid": event.uid,
                "title": event.title,
                "starts_at": event.starts_at.isoformat(),
                "ends_at": event.ends_at.isoformat(),
                # The app shows every time in the event's zone, as the console does.
                "timezone": event.timezone,
            },
        },
        "keys": keys_out(),
        "full": since is None,
        "ticket_fields": TICKET_FIELDS,
        "tickets": tickets,
        "revoked": [row[0] for row in tickets if row[4] == "revoked"],
        "admitted_fields": ADMITTED_FIELDS,
        "admitted": admitted,
    }
    digest = hashlib.sha256(
        json.dumps(content, separators=(",", ":"), cls=DjangoJSONEncoder).encode()
    ).hexdigest()
    body = {
        **content,
        "cursor": f"{CURSOR_PREFIX}{next_cursor}",
        "generated_at": timezone.now().isoformat(),
    }
    # Weak: the same content is served gzipped or not.
    return Manifest(body=body, etag=f'W/"{digest[:32]}"')


def list_counts(checkin_list: CheckinList) -> dict:
    """Live numbers for the console: tickets on the list, admitted, inside, and per gate."""
    tickets = Ticket.objects.filter(
        event_id=checkin_list.event_id, status=Ticket.Status.VALID
    ).exclude(payment=Ticket.Payment.NOT_PAID)
    if checkin_list.categories:
        tickets = tickets.filter(item__category__in=checkin_list.categories)
    admissions = Admission.objects.filter(checkin_list=checkin_list).aggregate(
        admitted=Count("id"), inside=Count("id", filter=Q(inside=True))
    )
    entry, exit_ = Scan.Direction.ENTRY, Scan.Direction.EXIT
    ok = Scan.Verdict.OK
    gates = (
        Scan.objects.filter(checkin_list=checkin_list)
        .values("gate")
        .annotate(
            entries=Count("id", filter=Q(direction=entry) & (Q(verdict=ok) | Q(overridden=True))),
            exits=Count("id", filter=Q(direction=exit_, verdict=ok)),
            denied=Count("id", filter=~Q(verdict=ok) & Q(overridden=False)),
            overrides=Count("id", filter=Q(overridden=True)),
            conflicts=Count("id", filter=Q(conflict=True)),
        )
        .order_by("gate")
    )
    gates = list(gates)
    return {
        "list": checkin_list.uid,
        "name": checkin_list.name,
        "tickets": tickets.count(),
        "admitted": admissions["admitted"],
        "inside": admissions["inside"],
        "overrides": sum(gate["overrides"] for gate in gates),
        "conflicts": sum(gate["conflicts"] for gate in gates),
        "gates": gates,
        "at": timezone.now(),
    }
