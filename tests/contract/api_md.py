"""Reads the endpoint tables of API.md, the binding contract that lives beside the repository
(../shared/API.md from the repository root), into rows: each row's key is its first cell as written
(backticks dropped), with the endpoints it names, who may call it and the statuses and error codes
its answer documents."""

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
API_MD = REPO_ROOT.parent / "shared" / "API.md"

_STATUS_THEN_CODES = re.compile(r"\b([1-5]\d\d)\s+((?:`[a-z]+(?:_[a-z]+)+`(?:\s*,\s*|\s+or\s+|\s+and\s+)?)+)")
_CODE_THEN_STATUS = re.compile(r"`([a-z]+(?:_[a-z]+)+)`\s+([1-5]\d\d)\b")
_STATUS_THEN_BODY_CODE = re.compile(r'\b([1-5]\d\d)\s+`\{"error":\s*\{"code":\s*"([a-z_]+)"')
_STATUS = re.compile(r"(?<![\w.])([1-5]\d\d)(?![\w.])")
# The statuses of API.md "Conventions" (a bare number elsewhere, "at most 500 scans", is not one).
KNOWN_STATUSES = frozenset({200, 201, 204, 400, 401, 403, 404, 409, 410, 422})
_ENDPOINT = re.compile(r"^(GET|POST|PATCH|PUT|DELETE)\s+(/\S+)$")


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str  # as API.md writes it, without the query string: /api/v1/courses/{id}

    @property
    def pattern(self) -> str:
        """The path with every parameter as `{}`, to compare with the served OpenAPI paths."""
        return re.sub(r"\{[^}]*\}", "{}", self.path)


@dataclass(frozen=True)
class Row:
    section: str
    key: str
    who: str
    answer: str
    endpoints: tuple[Endpoint, ...]
    codes: frozenset = field(default_factory=frozenset)  # {(status, code)} the answer documents
    statuses: frozenset = field(default_factory=frozenset)  # every status the answer mentions

    @property
    def public(self) -> bool:
        return self.who.strip() == "anyone" or self.who.startswith("anyone ")

    @property
    def any_logged_in_user(self) -> bool:
        return "any logged-in user" in self.who

    @property
    def owned(self) -> bool:
        """The row acts on an object someone owns (a path parameter), or on a scope: outsiders get
        404. A body written into the key (`... with {username, login_code}`) is no path parameter."""
        in_path = any("{" in endpoint.path for endpoint in self.endpoints)
        return in_path or any(word in self.who for word in ("its ", "scope", "own", "owner"))


def api_md_text() -> str:
    if not API_MD.is_file():
        pytest.fail(
            f"the API contract is missing: expected {API_MD} (../shared/API.md from the repository root); "
            "the contract tests read the endpoint tables from it",
            pytrace=False,
        )
    return API_MD.read_text(encoding="utf-8")


def _cells(line: str) -> list[str]:
    """The cells of a table line; `|` inside backticks is text, not a separator."""
    cells, current, quoted = [], [], False
    for char in line.strip().strip("|"):
        if char == "`":
            quoted = not quoted
        if char == "|" and not quoted:
            cells.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    cells.append("".join(current).strip())
    return cells


def _endpoints(first_cell: str) -> tuple[Endpoint, ...]:
    """`GET /a/{id}/roster.xlsx`, `.csv` names two endpoints; `... with {...}` is a variant of one."""
    found: list[Endpoint] = []
    for quoted in re.findall(r"`([^`]+)`", first_cell):
        match = _ENDPOINT.match(quoted.strip())
        if match:
            found.append(Endpoint(match.group(1), match.group(2).split("?")[0]))
        elif quoted.startswith(".") and found:
            last = found[-1]
            found.append(Endpoint(last.method, re.sub(r"\.\w+$", quoted, last.path)))
    return tuple(found)


def _documented_codes(answer: str) -> frozenset:
    pairs = set()
    for status, codes in _STATUS_THEN_CODES.findall(answer):
        pairs.update((int(status), code) for code in re.findall(r"`([a-z_]+)`", codes))
    pairs.update((int(status), code) for code, status in _CODE_THEN_STATUS.findall(answer))
    pairs.update((int(status), code) for status, code in _STATUS_THEN_BODY_CODE.findall(answer))
    return frozenset(pairs)


def rows() -> list[Row]:
    """Every row of the tables under "## Endpoints" (the tables whose header is `method, path`)."""
    result: list[Row] = []
    section, in_endpoints, in_table = "", False, False
    for number, line in enumerate(api_md_text().splitlines(), start=1):
        if line.startswith("## "):
            in_endpoints = line.strip() == "## Endpoints"
        if line.startswith("### "):
            section = line[4:].strip()
        if not in_endpoints or not line.startswith("|"):
            in_table = False
            continue
        cells = _cells(line)
        if cells[0] == "method, path":
            in_table = True
            continue
        if not in_table or set(cells[0]) <= {"-", ":", " "}:
            continue
        assert len(cells) == 3, f"API.md line {number}: expected 3 cells, got {len(cells)}: {line}"
        endpoints = _endpoints(cells[0])
        assert endpoints, f"API.md line {number}: no `METHOD /path` in the first cell: {cells[0]}"
        result.append(
            Row(
                section=section,
                key=cells[0].replace("`", ""),
                who=cells[1],
                answer=cells[2],
                endpoints=endpoints,
                codes=_documented_codes(cells[2]),
                statuses=frozenset(
                    int(s) for s in _STATUS.findall(cells[2].replace("`", "")) if int(s) in KNOWN_STATUSES
                ),
            )
        )
    return result
