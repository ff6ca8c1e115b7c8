"""Background jobs that know which organizer they belong to.

django-q2 knows nothing of tenants: a worker process's connection points at whatever schema the
previous task left behind. So every job goes through `run_in_schema`, which enters the schema it
was enqueued for and always leaves it (schema_context, never a bare set_tenant), and jobs are
queued only once the transaction that asked for them has committed.
"""

from collections.abc import Callable
from typing import Any

from django.db import connection, transaction
from django.utils.module_loading import import_string
from django_q.tasks import async_task
from django_tenants.utils import schema_context


def _dotted_path(func: Callable[..., Any] | str) -> str:
    if isinstance(func, str):
        return func
    return f"{func.__module__}.{func.__qualname__}"


def run_in_schema(
    schema_name: str, func_path: str, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> Any:
    """The body of every tenant job, executed by a django-q2 worker."""
    with schema_context(schema_name):
        return import_string(func_path)(*args, **kwargs)


def enqueue(
    func: Callable[..., Any] | str,
    *args: Any,
    schema_name: str | None = None,
    **kwargs: Any,
) -> None:
    """Queue `func(*args, **kwargs)` to run in `schema_name` (default: the current schema) after
    the current transaction commits. Pass ids, not model instances."""
    schema = schema_name or connection.schema_name
    path = _dotted_path(func)
    # The job's own arguments travel as one tuple and one dict so that none of them can be
    # mistaken for a django-q2 option (`group`, `timeout`, `hook`, ...).
    transaction.on_commit(
        lambda: async_task(run_in_schema, schema, path, args, kwargs, q_options={"task_name": path})
    )
