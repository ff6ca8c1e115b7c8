"""Error codes come from the catalogues (boxoffice/error_codes.py and each app's
`error_codes.py`), never from a string literal at the raise site (issue 14, part 5).

The walk reads every module of the project (as tests/boxoffice/test_import_direction.py does) and
fails on:
- a string literal given as an error code: the keyword `code=` of any call, the first argument
  of seatmaps' `Problem`/`_Problem`, of `problems.add` and of the webhook's `Refusal`, the
  second of `error_response`, of the stream's `Refusal` and of the webhook's `Answer`, and the
  value of "code" in a dict display that also has "message" (an error answer built by hand);
- a catalogue member that no module uses (a code nobody can get is not worth documenting);
- one code string defined in two catalogues (a shared code lives once, in the lower layer).
"""

import ast
import importlib
import re
from pathlib import Path

from boxoffice.error_codes import ErrorCatalogue
from tests.boxoffice.test_import_direction import ROOT, module_name, source_files

# Calls whose argument at one of these positions is an error code. Two classes are named
# Refusal: the stream's (status, code, message) and the webhook's (code, message); a positional
# literal counts when it looks like a code (snake_case), which no message does.
CODE_POSITIONS = {
    "Problem": (0,),
    "_Problem": (0,),
    "problems.add": (0,),
    "error_response": (1,),
    "Refusal": (0, 1),
    "Answer": (1,),
}
CODE_SHAPE = re.compile(r"[a-z]+(_[a-z]+)*")


def _called(node: ast.Call) -> str:
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        owner = node.func.value
        if node.func.attr == "add" and isinstance(owner, ast.Name) and owner.id == "problems":
            return "problems.add"
        return node.func.attr
    return ""


def _text(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def literal_codes(tree: ast.AST) -> list[tuple[ast.Constant, str]]:
    """Every string literal in `tree` that is given as an error code."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            for keyword in node.keywords:
                if keyword.arg == "code" and _text(keyword.value) is not None:
                    found.append((keyword.value, _text(keyword.value)))
            for position in CODE_POSITIONS.get(_called(node), ()):
                argument = node.args[position] if len(node.args) > position else None
                if (text := _text(argument)) is not None and CODE_SHAPE.fullmatch(text):
                    found.append((argument, text))
        elif isinstance(node, ast.Dict):
            keys = {_text(key): value for key, value in zip(node.keys, node.values, strict=True)}
            if "code" in keys and "message" in keys and _text(keys["code"]) is not None:
                found.append((keys["code"], _text(keys["code"])))
    return found


def _catalogue_files() -> list[Path]:
    return [path for path in source_files() if path.name == "error_codes.py"]


def catalogues() -> dict[str, list[type[ErrorCatalogue]]]:
    """Each catalogue module's name and the catalogues it defines."""
    found = {}
    for path in _catalogue_files():
        module = importlib.import_module(module_name(path))
        found[module.__name__] = [
            value
            for value in vars(module).values()
            if isinstance(value, type)
            and issubclass(value, ErrorCatalogue)
            and value is not ErrorCatalogue
            and value.__module__ == module.__name__
        ]
    return found


def _uses(tree: ast.AST) -> set[tuple[str, str, str]]:
    """(catalogue module, class, member) for every `Alias.MEMBER` whose alias was imported from
    a catalogue module."""
    aliases = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").endswith("error_codes"):
            for alias in node.names:
                aliases[alias.asname or alias.name] = (node.module, alias.name)
    return {
        (*aliases[node.value.id], node.attr)
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id in aliases
    }


def test_no_string_literal_is_given_as_an_error_code():
    loose = []
    for path in source_files():
        tree = ast.parse(path.read_text(), filename=str(path))
        loose += [
            f"{path.relative_to(ROOT)}:{node.lineno}: {code!r}"
            for node, code in literal_codes(tree)
        ]
    assert loose == [], "use a catalogue member instead:\n" + "\n".join(loose)


def test_every_catalogue_member_is_used():
    used: set[tuple[str, str, str]] = set()
    for path in source_files():
        if path.name != "error_codes.py":
            used |= _uses(ast.parse(path.read_text(), filename=str(path)))
    unused = [
        f"{module}.{catalogue.__name__}.{member.name}"
        for module, found in catalogues().items()
        for catalogue in found
        for member in catalogue
        if (module, catalogue.__name__, member.name) not in used
    ]
    assert unused == [], "no module gives these codes; remove them:\n" + "\n".join(unused)


def test_each_code_is_defined_once():
    where: dict[str, list[str]] = {}
    for module, found in catalogues().items():
        for catalogue in found:
            for member in catalogue:
                where.setdefault(str(member), []).append(f"{module}.{catalogue.__name__}")
    twice = {code: places for code, places in where.items() if len(places) > 1}
    assert twice == {}, f"codes in more than one catalogue (keep the lower layer's): {twice}"


def test_members_are_their_code_strings():
    """A member is its string: answers stay byte-identical, and it carries its meaning."""
    import json

    from boxoffice.error_codes import ErrorCode

    assert ErrorCode.NOT_FOUND == "not_found"
    assert json.dumps({"code": ErrorCode.NOT_FOUND}) == '{"code": "not_found"}'
    assert f"{ErrorCode.NOT_FOUND}" == "not_found"
    assert ErrorCode.NOT_FOUND.meaning


def test_the_walk_finds_literal_codes_in_every_form():
    tree = ast.parse(
        'raise NotFound("No.", code="a")\n'
        'Problem("b", "Message.")\n'
        'problems.add("c", 1, "Message.")\n'
        'error_response(404, "d", "Message.")\n'
        'raise Refusal("f", "Not a code.")\n'
        'x = {"code": "e", "message": "Message."}\n'
        'y = {"code": "adult", "name": "Adult"}\n'
        "raise NotFound('No.', code=ErrorCode.HOLD_NOT_FOUND)\n"
    )
    assert sorted(code for _, code in literal_codes(tree)) == ["a", "b", "c", "d", "e", "f"]
