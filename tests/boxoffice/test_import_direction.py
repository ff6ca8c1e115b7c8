"""Dependencies point one way (DESIGN.md "Layout"; README "Architecture").

Every import of every module of the project (`boxoffice/`, `tenants/`, `seatmaps/`, `checkin/`;
not migrations, not tests), at the top of a file or inside a function, is an edge from the
importing module's layer to the imported module's. An edge the order below does not allow fails
this test with its file, line and modules. An import inside a function is an edge like any
other: it only hides a cycle from import time.

The domain apps, each above the ones it may import:

    tenants <- seatmaps <- events <- sales <- tickets <- payments
                                              tickets <- checkin

- `tickets` stands on `sales` (a ticket is for one item of an order); `payments` orchestrates
  `sales` (order state) and `tickets` (issue, revoke, the standing of an order's tickets at the
  door), and neither of those imports it.
- `checkin` reads tickets and never an order: what it needs of the order (paid, disputed) is a
  fact of the ticket that `tickets` keeps in step, so it may import `tickets`, `events`,
  `seatmaps` and `tenants`, and not `sales` or `payments`.
- Presentation on top: `shop` (the customer pages) and `console` (the organizer's pages) may
  import every domain app, not each other.

The kernel imports no app and no wiring; every app may import it. Its modules: `boxoffice`
itself and `actors`, `api_errors`, `apps`, `busy`, `currencies`, `embedded_db`, `errors`,
`error_codes` (the base of every app's error catalogue, and the kernel's codes),
`health`, `http_errors`, `inputs`, `jobs`, `models` (rate counters), `money_api`, `openapi`,
`throttles`, `times`, `transactions` (the transaction contract), `validators`, the template
tags (`boxoffice/templatetags/`) and the audit
log (`boxoffice/audit/`: every app records into it; who may read it is a role rule, so its
endpoint lives in `tenants.audit_api`).

The wiring may import anything and nothing imports it but the wiring: `settings`, `urls`,
`urls_public`, `api` (mounts the routers), `asgi`, `wsgi`, `middleware` (host → organizer),
`warmup` (loads the URL confs) and the project's management commands
(`boxoffice/management/`: the demo seed spans every app).

A new module under `boxoffice/` that is in none of these lists fails the test until it is given
a place here.
"""

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("boxoffice", "tenants", "seatmaps", "checkin")

APPS = {
    "tenants": "tenants",
    "seatmaps": "seatmaps",
    "boxoffice.events": "events",
    "boxoffice.sales": "sales",
    "boxoffice.tickets": "tickets",
    "boxoffice.payments": "payments",
    "checkin": "checkin",
    "boxoffice.shop": "shop",
    "boxoffice.console": "console",
}
KERNEL_MODULES = {
    "boxoffice",
    *(
        f"boxoffice.{name}"
        for name in (
            "actors", "api_errors", "apps", "audit", "busy", "currencies", "embedded_db",
            "error_codes", "errors", "health", "http_errors", "inputs", "jobs", "models",
            "money_api", "openapi", "templatetags", "throttles", "times", "transactions",
            "validators",
        )
    ),
}  # fmt: skip
WIRING_MODULES = {
    f"boxoffice.{name}"
    for name in (
        "settings", "urls", "urls_public", "api", "asgi", "wsgi", "middleware", "warmup",
        "management",
    )
}  # fmt: skip

DOMAIN = ("tenants", "seatmaps", "events", "sales", "tickets", "payments", "checkin")
MAY_IMPORT: dict[str, set[str]] = {
    "kernel": set(),
    "tenants": set(),
    "seatmaps": {"tenants"},
    "events": {"tenants", "seatmaps"},
    "sales": {"tenants", "seatmaps", "events"},
    "tickets": {"tenants", "seatmaps", "events", "sales"},
    "payments": {"tenants", "seatmaps", "events", "sales", "tickets"},
    "checkin": {"tenants", "seatmaps", "events", "tickets"},
    "shop": set(DOMAIN),
    "console": set(DOMAIN),
    "wiring": {"wiring", *DOMAIN, "shop", "console"},
}
# Edges against the order that are right as they are, each with why. None today: each back
# edge found was fixed instead.
ALLOWED_EDGES: dict[tuple[str, str], str] = {}


def layer_of(module: str) -> str | None:
    """The layer of a project module (dotted name); None for anything outside the project."""
    if module.split(".")[0] not in PACKAGES:
        return None
    for prefix, app in APPS.items():
        if module == prefix or module.startswith(prefix + "."):
            return app
    if module in KERNEL_MODULES or any(
        module.startswith(m + ".") for m in KERNEL_MODULES - {"boxoffice"}
    ):
        return "kernel"
    if any(module == m or module.startswith(m + ".") for m in WIRING_MODULES):
        return "wiring"
    return "unplaced"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def source_files() -> list[Path]:
    return sorted(
        path
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.relative_to(ROOT).parts
    )


def imported_modules(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> list[str]:
    """The modules an import statement names: `from a.b import c` names `a.b.c` (a module or a
    name in `a.b`: both resolve to the same layer but for `from boxoffice import times`)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        package = module.split(".") if is_package else module.split(".")[:-1]
        package = package[: len(package) - (node.level - 1)]
        base = ".".join([*package, *([node.module] if node.module else [])])
    return [f"{base}.{alias.name}" for alias in node.names]


@dataclass(frozen=True)
class Edge:
    where: str
    source: str
    target: str
    source_layer: str
    target_layer: str

    def __str__(self) -> str:
        return (
            f"{self.where}: {self.source} ({self.source_layer}) -> {self.target} "
            f"({self.target_layer})"
        )


def edges() -> list[Edge]:
    found = []
    for path in source_files():
        module = module_name(path)
        source_layer = layer_of(module)
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            for target in imported_modules(node, module, path.name == "__init__.py"):
                target_layer = layer_of(target)
                if target_layer is None:
                    continue
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                found.append(Edge(where, module, target, source_layer, target_layer))
    return found


def against_the_order(edge: Edge) -> bool:
    if edge.source_layer == edge.target_layer or edge.target_layer == "kernel":
        return False
    if (edge.source_layer, edge.target_layer) in ALLOWED_EDGES:
        return False
    return edge.target_layer not in MAY_IMPORT[edge.source_layer]


def test_every_module_has_a_layer():
    unplaced = sorted({e.source for e in edges() if e.source_layer == "unplaced"} | {
        module_name(path) for path in source_files() if layer_of(module_name(path)) == "unplaced"
    })  # fmt: skip
    assert unplaced == [], "give these modules a layer in this test's lists: " + ", ".join(unplaced)


def test_imports_point_one_way():
    wrong = [str(edge) for edge in edges() if against_the_order(edge)]
    assert wrong == [], "imports against the dependency order:\n" + "\n".join(wrong)


def test_the_walk_sees_imports_inside_functions_and_relative_ones():
    """The walk itself: a function-level import and a relative import are edges too."""
    tree = ast.parse("def f():\n    from boxoffice.sales.models import Order\n")
    (node,) = [n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    assert imported_modules(node, "checkin.selectors", False) == ["boxoffice.sales.models.Order"]
    relative = ast.parse("from ..sales import models\n").body[0]
    assert imported_modules(relative, "boxoffice.tickets.services", False) == [
        "boxoffice.sales.models"
    ]
    assert layer_of("boxoffice.sales.models.Order") == "sales"
    assert against_the_order(
        Edge("x", "checkin.selectors", "boxoffice.sales.models", "checkin", "sales")
    )
    assert against_the_order(
        Edge("x", "tenants.services", "boxoffice.tickets.services", "tenants", "tickets")
    )
    assert against_the_order(
        Edge("x", "boxoffice.currencies", "tenants.models", "kernel", "tenants")
    )
    assert against_the_order(Edge("x", "tenants.views", "boxoffice.urls", "tenants", "wiring"))
    assert not against_the_order(Edge("x", "boxoffice.payments.services.checkout",
                                      "boxoffice.tickets.services",
                                      "payments", "tickets"))  # fmt: skip
    assert edges(), "the walk found no imports at all"
