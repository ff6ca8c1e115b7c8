"""The transaction contract made executable.

A function documented "call inside a transaction" locks rows that only stay locked until the
caller's transaction ends, and leaves the rest of the work (tickets, the provider's refund, an
email on commit) to that caller; run on its own in autocommit, it would lock nothing for long
and commit half a change. So it says so at its first line, as pretix's lock helpers do, rather
than relying on Django's `select_for_update` error, which comes only once a locking query runs
and names no use case.
"""

from django.db import connection


class TransactionRequired(RuntimeError):
    """A programming error: a use case meant to run inside its caller's transaction ran alone."""


def require_transaction(what: str) -> None:
    """Refuse to go on unless the default connection is inside `transaction.atomic`."""
    if not connection.in_atomic_block:
        raise TransactionRequired(f"{what} must be called inside a transaction (atomic block).")
