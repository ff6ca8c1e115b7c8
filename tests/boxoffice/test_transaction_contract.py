"""The transaction contract is executable: a use case documented "call inside a transaction"
says so at its first line (`boxoffice.transactions.require_transaction`), and refuses to run
alone instead of locking nothing and committing half a change."""

import ast
from pathlib import Path

import pytest

from boxoffice.payments.services.checkout import fulfil_order
from boxoffice.sales.models import Hold, Order
from boxoffice.sales.services import holds, orders, refunds
from boxoffice.transactions import TransactionRequired

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("boxoffice", "tenants", "seatmaps", "checkin")
CONTRACT = "call inside a transaction"


def _contracted() -> list[tuple[str, ast.FunctionDef]]:
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
                    doc = ast.get_docstring(node) or ""
                    if CONTRACT in " ".join(doc.lower().split()):
                        found.append((str(path.relative_to(ROOT)), node))
    return found


def _first_call(node: ast.FunctionDef) -> ast.Call | None:
    body = node.body[1:]  # after the docstring
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Call):
        return body[0].value
    return None


def test_every_documented_contract_is_checked_at_the_first_line():
    contracted = _contracted()
    assert len(contracted) >= 10  # the order, refund and payment outcomes at least
    unchecked = []
    for path, node in contracted:
        call = _first_call(node)
        if not (
            call is not None
            and isinstance(call.func, ast.Name)
            and call.func.id == "require_transaction"
            and [arg.value for arg in call.args if isinstance(arg, ast.Constant)] == [node.name]
        ):
            unchecked.append(f"{path}:{node.lineno} {node.name}")
    assert unchecked == []


@pytest.mark.django_db(transaction=True)
def test_a_contracted_use_case_refuses_to_run_alone():
    order, hold = Order(pk=1), Hold(pk=1)
    calls = {
        "lock_order": lambda: orders.lock_order(order),
        "confirm_payment": lambda: orders.confirm_payment(order=order, payment_id="pi_1"),
        "close_unpaid": lambda: orders.close_unpaid(order=order),
        "refund_items": lambda: refunds.refund_items(order=order, actor=None, reason=""),
        "cancel_by_customer": lambda: refunds.cancel_by_customer(order=order),
        "lock_hold": lambda: holds.lock_hold(hold),
        "fulfil_order": lambda: fulfil_order(order=order, payment_id="pi_1"),
    }
    for name, call in calls.items():
        with pytest.raises(TransactionRequired, match=name):
            call()
