"""The shape of the code (STYLE.md, README "Architecture"): sizes, imports, refusals, declarations.

The layer contract itself is import-linter's (`lint-imports`, run by `make test` and below).
"""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from basesys import FEATURES

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "basesys"
SOURCES = sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)

MAX_FILE_LINES = 400
MAX_VIEW_LINES = 25
MAX_SERVICE_LINES = 50
ROUTE_DECORATORS = {"page", "api_endpoint", "route", "get", "post", "put", "patch", "delete"}


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _functions(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


def _decorator_name(decorator: ast.expr) -> str:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    if isinstance(target, ast.Attribute):
        return target.attr
    return target.id if isinstance(target, ast.Name) else ""


def _length(node: ast.AST) -> int:
    return node.end_lineno - node.lineno + 1


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_the_layer_contract_holds():
    result = subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports")), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_no_import_of_basesys_hides_inside_a_function():
    """A function-local import is how a cycle gets dodged; the layers make none necessary."""
    found = []
    for path in SOURCES:
        for function in _functions(_tree(path)):
            for node in ast.walk(function):
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("basesys"):
                    found.append(f"{_rel(path)}:{node.lineno} from {node.module}")
                elif isinstance(node, ast.Import) and any(a.name.startswith("basesys") for a in node.names):
                    found.append(f"{_rel(path)}:{node.lineno} import")
    assert found == []


def test_no_file_is_over_400_lines():
    long = {_rel(p): n for p in SOURCES if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_FILE_LINES}
    assert long == {}


def test_views_are_thin():
    """A view holds only what is particular to it: ≤ 25 lines (the lifecycle is core.pages')."""
    fat = {}
    for path in SOURCES:
        if path.name not in ("views.py", "api.py") and path.parent.name not in ("views", "api"):
            continue
        for function in _functions(_tree(path)):
            if any(_decorator_name(d) in ROUTE_DECORATORS for d in function.decorator_list):
                body = function.body[0].lineno  # decorators do not count
                length = function.end_lineno - body + 2
                if length > MAX_VIEW_LINES:
                    fat[f"{_rel(path)}:{function.name}"] = length
    assert fat == {}


def test_services_are_short():
    fat = {}
    for path in SOURCES:
        if path.name != "services.py" and "services" not in path.parent.parts[-1:]:
            continue
        for function in _functions(_tree(path)):
            if _length(function) > MAX_SERVICE_LINES:
                fat[f"{_rel(path)}:{function.name}"] = _length(function)
    assert fat == {}


def test_each_refusal_code_belongs_to_one_feature_with_one_message():
    owners: dict[str, str] = {}
    clashes = []
    for feature in FEATURES:
        for code in feature.refusals:
            if code in owners:
                clashes.append(f"{code}: {owners[code]} and {feature.name}")
            owners[code] = feature.name
    assert clashes == []


def test_a_second_definition_of_a_code_is_refused_at_start_up():
    from basesys.core.errors import Refusal, RefusalConflict, register_refusals

    with pytest.raises(RefusalConflict):
        register_refusals("attendance", {"not_found": Refusal(404, "别的说法", "other words")})


def test_nothing_registers_itself_on_import():
    """Panels, jobs and blueprints come from the declarations; no decorator fills a global registry."""
    offenders = []
    for path in SOURCES:
        text = path.read_text(encoding="utf-8")
        for marker in ("@home_panel", "@register_job", "app_template_filter", "@app.cli.command"):
            if marker in text:
                offenders.append(f"{_rel(path)}: {marker}")
    assert offenders == []


def test_every_feature_package_declares_itself():
    declared = {f.name for f in FEATURES}
    packages = {p.parent.name for p in PACKAGE.glob("*/__init__.py")}
    assert packages == declared


def test_views_repeat_no_transaction_block():
    """Commit, rollback and catching refusals are the page lifecycle's and api_endpoint's, not a view's."""
    offenders = []
    for path in SOURCES:
        if path.name not in ("views.py", "api.py") and path.parent.name not in ("views", "api"):
            continue
        if path.parent == PACKAGE / "core":  # core/api.py is the API lifecycle itself
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if any(m in line for m in ("db.session.commit(", "db.session.rollback(", "except DomainError")):
                offenders.append(f"{_rel(path)}:{number}: {line.strip()}")
    assert offenders == []


def test_services_take_the_actor_first_and_now_by_keyword():
    """STYLE.md: `verb(actor, obj, *, now)`, as pretix's perform_checkin."""
    wrong = []
    for path in SOURCES:
        if path.name != "services.py" and "services" not in path.parent.parts[-1:]:
            continue
        for function in _tree(path).body:
            if not isinstance(function, ast.FunctionDef) or function.name.startswith("_"):
                continue
            positional = [a.arg for a in function.args.posonlyargs + function.args.args]
            if "now" in positional:
                wrong.append(f"{_rel(path)}:{function.name}: now is positional")
            if "actor" in positional and positional.index("actor") != 0:
                wrong.append(f"{_rel(path)}:{function.name}: actor is not first")
    assert wrong == []
