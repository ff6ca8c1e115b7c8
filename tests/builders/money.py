"""API answers with their Money objects read back as plain minor-unit integers, for tests
about the arithmetic (tests/boxoffice/test_money_in_openapi.py tests the objects themselves)."""

from typing import Any


def plain(data: Any) -> Any:
    if isinstance(data, dict):
        if set(data) == {"amount", "currency", "unit"} and data["unit"] == "minor":
            assert len(data["currency"]) == 3, data
            return data["amount"]
        return {key: plain(value) for key, value in data.items()}
    if isinstance(data, list):
        return [plain(value) for value in data]
    return data
