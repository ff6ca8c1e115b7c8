"""Threads on the real database, for tests of what locks and conditional statements promise:
`race` releases contenders at one instant and hands back what each one got;
`on_another_connection` runs one piece of work beside the test's own connection.

Both need committed data (`transactional_db`, and the `committed_organizer` fixture of
tests/conftest.py for an organizer whose schema is dropped afterwards). Each thread has a
connection of its own and closes it when done, so none is left open at the database's teardown.
"""

import threading
from collections.abc import Callable
from contextlib import nullcontext
from typing import Any

from django.db import connections
from django_tenants.utils import schema_context

from boxoffice.errors import DomainError


def race(
    worker: Callable[[int], Any],
    contenders: int,
    *,
    schema: str | None = None,
    expected: tuple[type[BaseException], ...] = (DomainError,),
    timeout: float = 120,
) -> list[Any]:
    """Run `worker(index)` for each index in `contenders` threads released together (a
    barrier), in `schema` when given. Returns the outcomes by index: what the worker returned,
    or for an `expected` error its code (a DomainError's) or the error itself. Any other error
    in a thread is raised here, in the test's thread, once all have ended."""
    barrier = threading.Barrier(contenders, timeout=timeout)
    outcomes: list[Any] = [None] * contenders
    unexpected: list[BaseException] = []

    def run(index: int) -> None:
        try:
            with schema_context(schema) if schema else nullcontext():
                barrier.wait()
                outcomes[index] = worker(index)
        except expected as error:
            outcomes[index] = error.code if isinstance(error, DomainError) else error
        except BaseException as error:  # handed to the test's thread
            unexpected.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(contenders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads), f"a contender ran over {timeout}s"
    if unexpected:
        raise unexpected[0]
    return outcomes


def on_another_connection(work: Callable[[], Any], *, schema: str | None = None,
                          timeout: float = 60) -> Any:  # fmt: skip
    """`work()` on a thread of its own (its own connection, in `schema` when given), waited
    for; its answer returned and its error raised here."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            with schema_context(schema) if schema else nullcontext():
                outcome["value"] = work()
        except BaseException as error:  # handed to the test's thread
            outcome["error"] = error
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=timeout)
    assert not thread.is_alive(), f"the work ran over {timeout}s"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]
