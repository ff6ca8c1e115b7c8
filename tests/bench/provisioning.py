"""Benchmark: organizer provisioning and no-op `migrate_schemas`, at 1, 50 and 200 organizers.

    make bench        # runs: .venv/bin/python -m tests.bench.provisioning

It always runs on a throwaway embedded PostgreSQL of its own (DATABASE_URL, PGHOST and PGPORT are
dropped before the settings load, and the settings are the test settings), so it never writes
into a developer's database. It grows the population with the real `provision_organizer`, timing
every call, and at each size times a no-op `migrate_schemas` over all schemas with the standard
and the multiprocessing executor. Then it compares provisioning by migrations with provisioning by
cloning a template schema (django-tenants' TENANT_BASE_SCHEMA), which Boxoffice does not use.

The tables are printed as Markdown and written into this benchmark's generated block in
tests/bench/RESULTS.md; the rest of that file (other benchmarks, interpretation) is left alone.
Speed targets are checked here, never by timed assertions in the test suite.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time

from tests.bench.common import (
    machine_lines,
    markdown_table,
    start_throwaway_database,
    write_results,
)

SECTION = "## Organizer provisioning and no-op migrations"
PRODUCER = "tests/bench/provisioning.py"
COMMAND = ".venv/bin/python -m tests.bench.provisioning"
TEMPLATE_SCHEMA = "bench_template"


# --- measuring ----------------------------------------------------------------------------------


def provision_one(slug: str) -> float:
    """Create an owner (untimed) and provision an organizer for them; return the seconds spent
    in provision_organizer."""
    from tenants.services import create_user, provision_organizer

    owner = create_user(email=f"owner@{slug}.example.com", password=None)
    started = time.perf_counter()
    provision_organizer(slug=slug, name=slug.replace("-", " ").title(), owner=owner)
    return time.perf_counter() - started


def time_noop_migrate(executor: str) -> float:
    from django.core.management import call_command
    from django.db import connection

    # The multiprocessing executor closes the connection and forks workers; start both
    # executors from a closed connection so they pay the same, and leave a clean one behind.
    connection.close()
    started = time.perf_counter()
    call_command("migrate_schemas", executor=executor, interactive=False, verbosity=0)
    elapsed = time.perf_counter() - started
    connection.close()
    connection.set_schema_to_public()
    return elapsed


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def summary_row(label: str, seconds: list[float]) -> list[str]:
    ms = [s * 1000 for s in seconds]
    return [
        label,
        str(len(ms)),
        f"{statistics.mean(ms):.0f}",
        f"{statistics.median(ms):.0f}",
        f"{percentile(ms, 0.95):.0f}",
        f"{max(ms):.0f}",
    ]


def schema_object_names(schema: str) -> set[tuple[str, str]]:
    """Names of the indexes and constraints in a schema, with their table."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT t.relname, i.relname
              FROM pg_index x
              JOIN pg_class i ON i.oid = x.indexrelid
              JOIN pg_class t ON t.oid = x.indrelid
              JOIN pg_namespace n ON n.oid = t.relnamespace
             WHERE n.nspname = %s
            UNION
            SELECT t.relname, c.conname
              FROM pg_constraint c
              JOIN pg_class t ON t.oid = c.conrelid
              JOIN pg_namespace n ON n.oid = c.connamespace
             WHERE n.nspname = %s
            """,
            [schema, schema],
        )
        return set(cursor.fetchall())


def create_template_schema() -> None:
    from django.core.management import call_command
    from django.db import connection
    from django_tenants.utils import schema_exists

    if not schema_exists(TEMPLATE_SCHEMA):
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE SCHEMA "{TEMPLATE_SCHEMA}"')
    call_command(
        "migrate_schemas",
        tenant=True,
        schema_name=TEMPLATE_SCHEMA,
        executor="standard",
        interactive=False,
        verbosity=0,
    )
    connection.close()
    connection.set_schema_to_public()


def compare_cloning(pairs: int, first_index: int) -> dict[str, object]:
    """Alternate provisioning by migrations and by cloning, so both see the same population.

    Then check the design note that cloning renames unique constraints: the tenant apps may have
    none yet, so an untimed last clone is made after a probe table with a named UNIQUE constraint
    is added to the template, and the template's index and constraint names are compared with
    that clone's."""
    from django.db import connection
    from django.test import override_settings

    create_template_schema()
    migrated: list[float] = []
    cloned: list[float] = []
    cloning = override_settings(
        TENANT_CREATION_FAKES_MIGRATIONS=True, TENANT_BASE_SCHEMA=TEMPLATE_SCHEMA
    )
    for n in range(pairs):
        migrated.append(provision_one(f"bench-{first_index + n:04d}"))
        with cloning:
            cloned.append(provision_one(f"clone-{n + 1:04d}"))

    with connection.cursor() as cursor:
        cursor.execute(
            f'CREATE TABLE "{TEMPLATE_SCHEMA}".bench_probe (id bigint PRIMARY KEY, code text, '
            "CONSTRAINT bench_probe_code_uniq UNIQUE (code))"
        )
    with cloning:
        provision_one("clone-probe")
    template_names = schema_object_names(TEMPLATE_SCHEMA)
    clone_names = schema_object_names("org_clone_probe")
    return {
        "migrated": migrated,
        "cloned": cloned,
        "names": len(template_names),
        "renamed": sorted(template_names - clone_names),
        "renamed_to": sorted(clone_names - template_names),
    }


def check_population(expected: int) -> None:
    """Every organizer got its schema, its domain and its owner: a benchmark of a broken
    provisioning would be worthless."""
    from django.conf import settings
    from django.db import connection

    from tenants.models import Domain, Membership, Organizer
    from tenants.roles import Role

    organizers = Organizer.objects.exclude(schema_name="public")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_namespace WHERE nspname IN "
            "(SELECT schema_name FROM tenants_organizer WHERE schema_name <> 'public')"
        )
        (schemas,) = cursor.fetchone()
    domains = sum(
        1
        for slug, domain in Domain.objects.values_list("tenant__slug", "domain")
        if domain == f"{slug}.{settings.BASE_DOMAIN}"
    )
    owners = Membership.objects.filter(role=Role.OWNER).count()
    found = {"organizers": organizers.count(), "schemas": schemas, "domains": domains}
    found["owners"] = owners
    if any(count != expected for count in found.values()):
        raise SystemExit(f"provisioning is broken: expected {expected} of each, found {found}")


# --- reporting ----------------------------------------------------------------------------------


def tenant_shape() -> str:
    from django.conf import settings
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'org_bench_0001'"
        )
        (tables,) = cursor.fetchone()
        cursor.execute("SELECT app, count(*) FROM org_bench_0001.django_migrations GROUP BY app")
        recorded = dict(cursor.fetchall())
    tenant_labels = {name.rsplit(".", 1)[-1] for name in settings.TENANT_APPS}
    own = sum(count for app, count in recorded.items() if app in tenant_labels)
    return (
        f"Each organizer schema holds {tables} tables (tenant apps: "
        f"{', '.join(settings.TENANT_APPS)}, plus django_migrations). Provisioning runs "
        f"{sum(recorded.values())} migrations in the new schema: {own} of the tenant apps and "
        f"{sum(recorded.values()) - own} of the shared apps, whose operations the tenant router "
        "skips but whose model states Django still renders and records."
    )


def report(
    *,
    command: str,
    sizes: list[int],
    provisioning: list[float],
    migrate: list[tuple[int, str, list[float]]],
    processes: int,
    clone: dict[str, object] | None,
    machine: list[str],
    shape: str,
) -> str:
    parts = [
        f"Command: `{command}`"
        + (" (what `make bench` runs)" if command == COMMAND else "")
        + ". Wall-clock times; the first organizer "
        "is the first call in a fresh process. DEBUG query logging is off, as in production.",
        "",
        *machine,
        "",
        shape,
        "",
        "**Provisioning** (`provision_organizer`: schema + migrations, domain, owner membership, "
        "audit entry; one transaction), ms per organizer, grouped by the population it grew:",
        "",
    ]
    rows, start = [], 0
    for size in sizes:
        if size > start:
            label = f"{start + 1}" if size == start + 1 else f"{start + 1}-{size}"
            rows.append(summary_row(label, provisioning[start:size]))
        start = size
    rows.append(summary_row(f"all {len(provisioning)}", provisioning))
    header = ["organizers", "calls", "mean", "median", "p95", "max"]
    parts += [markdown_table(header, rows), ""]

    parts += [
        "**No-op `migrate_schemas`** (all schemas, public included; nothing to apply), "
        "median of the runs:",
        "",
    ]
    rows = []
    for size, executor, runs in migrate:
        name = executor if executor == "standard" else f"{executor} ({processes} processes)"
        total = statistics.median(runs)
        rows.append(
            [
                str(size),
                name,
                str(len(runs)),
                f"{total:.2f}",
                f"{total / size * 1000:.0f}",
            ]
        )
    header = ["organizers", "executor", "runs", "total s", "ms per organizer"]
    parts += [markdown_table(header, rows)]

    if clone:
        migrated, cloned = clone["migrated"], clone["cloned"]
        change = statistics.median(cloned) / statistics.median(migrated) - 1
        parts += [
            "",
            f"**Migrations vs. cloning** (alternating, organizers {sizes[-1] + 1}-"
            f"{sizes[-1] + 2 * len(migrated)}), ms per organizer:",
            "",
            markdown_table(
                ["method", "calls", "mean", "median", "p95", "max"],
                [
                    summary_row("migrations (what Boxoffice does)", migrated),
                    summary_row(f"clone `{TEMPLATE_SCHEMA}` (TENANT_BASE_SCHEMA)", cloned),
                ],
            ),
            "",
            f"Cloning against migrations (median): {abs(change):.0%} "
            f"{'slower' if change > 0 else 'faster'}. "
            "Index and constraint names of the template (its tenant tables plus a probe table "
            "with one named UNIQUE constraint) that a clone of it does not keep: "
            f"{len(clone['renamed'])} of {clone['names']}"
            + (
                f" (e.g. `{clone['renamed'][0][1]}` became `{clone['renamed_to'][0][1]}`)."
                if clone["renamed"] and clone["renamed_to"]
                else "."
            ),
        ]
    return "\n".join(parts)


# --- main ---------------------------------------------------------------------------------------


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", default="1,50,200", help="organizer counts to measure at (default 1,50,200)"
    )
    parser.add_argument(
        "--repeats", type=int, default=3, help="no-op migrate runs per size and executor"
    )
    parser.add_argument(
        "--clone-pairs",
        type=int,
        default=20,
        help="organizers provisioned each way in the cloning comparison (0 skips it)",
    )
    parser.add_argument(
        "--no-write", action="store_true", help="print only; leave RESULTS.md alone"
    )
    args = parser.parse_args(argv)
    args.sizes = sorted({int(size) for size in args.sizes.split(",")})
    if args.sizes[0] < 1 or args.repeats < 1 or args.clone_pairs < 0:
        parser.error("sizes and repeats must be positive, clone pairs not negative")
    return args


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    load_at_start = os.getloadavg()
    started = time.perf_counter()
    start_throwaway_database()
    from django.conf import settings

    settings.DEBUG = False  # no per-query logging inside the timings

    def log(message: str) -> None:
        print(f"[{time.perf_counter() - started:6.1f}s] {message}", file=sys.stderr, flush=True)

    log(f"public schema ready; throwaway PostgreSQL at {os.environ.get('PGHOST')}")
    processes = getattr(settings, "TENANT_MULTIPROCESSING_MAX_PROCESSES", 2)
    provisioning: list[float] = []
    migrate: list[tuple[int, str, list[float]]] = []
    for size in args.sizes:
        while len(provisioning) < size:
            provisioning.append(provision_one(f"bench-{len(provisioning) + 1:04d}"))
        check_population(size)
        log(f"{size} organizers; median provisioning {statistics.median(provisioning):.3f}s")
        for executor in ("standard", "multiprocessing"):
            runs = [time_noop_migrate(executor) for _ in range(args.repeats)]
            migrate.append((size, executor, runs))
            log(f"no-op migrate_schemas, {executor}: {', '.join(f'{r:.2f}s' for r in runs)}")

    clone = None
    if args.clone_pairs:
        clone = compare_cloning(args.clone_pairs, first_index=len(provisioning) + 1)
        log("cloning comparison done")

    block = report(
        command=" ".join([COMMAND, *argv]),
        sizes=args.sizes,
        provisioning=provisioning,
        migrate=migrate,
        processes=processes,
        clone=clone,
        machine=machine_lines(load_at_start),
        shape=tenant_shape(),
    )
    print(f"{SECTION}\n\n{block}")
    if not args.no_write:
        write_results(SECTION, PRODUCER, block)
        log("wrote tests/bench/RESULTS.md")


if __name__ == "__main__":
    main()
