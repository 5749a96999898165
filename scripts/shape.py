"""Print the figures of the code's shape that issue 9 tracks (README "Architecture").

    python scripts/shape.py [ROOT]

Files over 400 lines, route functions over 25 lines, functions of services modules over 50 lines,
imports of basesys inside functions, transaction code in views/API modules, raw filing/roster status
literals compared outside their model, and the longest of each. Run it on any checkout to compare.
"""

import ast
import re
import sys
from pathlib import Path

ROUTES = {"page", "api_endpoint", "route", "get", "post", "put", "patch", "delete"}
STATUS_LITERAL = re.compile(
    r"""(==|!=|\bin\b)\s*\(?["'](draft|submitted|approved|returned|pending|accepted|overdue|issued|recognized|revoked|valid)["']"""
)


def decorator_name(node):
    target = node.func if isinstance(node, ast.Call) else node
    return target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")


def main(root: Path) -> None:
    sources = sorted(p for p in (root / "basesys").rglob("*.py") if "__pycache__" not in p.parts)
    long_files, views, services, local_imports, transactions, literals = [], [], [], [], [], []
    for path in sources:
        rel = str(path.relative_to(root))
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        if len(lines) > 400:
            long_files.append((len(lines), rel))
        is_view = path.name in ("views.py", "api.py") or path.parent.name in ("views", "api")
        is_service = path.name == "services.py" or path.parent.name == "services"
        tree = ast.parse(text)
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef):
                continue
            if is_view and any(decorator_name(d) in ROUTES for d in node.decorator_list):
                views.append((node.end_lineno - node.body[0].lineno + 2, f"{rel}:{node.name}"))
            if is_service:
                services.append((node.end_lineno - node.lineno + 1, f"{rel}:{node.name}"))
            for inner in ast.walk(node):
                module = getattr(inner, "module", None) or ""
                names = [a.name for a in getattr(inner, "names", [])] if isinstance(inner, ast.Import) else []
                if module.startswith("basesys") or any(n.startswith("basesys") for n in names):
                    local_imports.append(f"{rel}:{inner.lineno}")
        if is_view and path.parent.name != "core":  # core/api.py is the API lifecycle itself
            for number, line in enumerate(lines, 1):
                if "db.session.commit(" in line or "db.session.rollback(" in line or "except DomainError" in line:
                    transactions.append(f"{rel}:{number}")
        if path.name != "models.py":
            literals.extend(f"{rel}:{n}" for n, line in enumerate(lines, 1) if STATUS_LITERAL.search(line))
    views.sort(reverse=True)
    services.sort(reverse=True)
    print(f"python files: {len(sources)}, lines: {sum(len(p.read_text().splitlines()) for p in sources)}")
    print(f"files over 400 lines: {len(long_files)} {sorted(long_files, reverse=True)[:5]}")
    print(f"route functions: {len(views)}, over 25 lines: {sum(1 for n, _ in views if n > 25)}, longest: {views[:3]}")
    print(f"service functions over 50 lines: {sum(1 for n, _ in services if n > 50)}, longest: {services[:3]}")
    print(f"basesys imports inside functions: {len(local_imports)}")
    print(f"transaction lines (commit/rollback/except DomainError) in views and API: {len(transactions)}")
    print(f"raw status literals compared outside models: {len(literals)}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent)
