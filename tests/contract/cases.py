"""Contract cases as data: a case sends one request and states the documented answer (status,
error code, shape of the body, and optionally a check of values). `run` drives a row's cases in
order on one world and collects every mismatch, so one failing case never hides the others."""

import json
import traceback
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from tests.contract.shapes import error_problems, problems


@dataclass(frozen=True)
class Case:
    name: str
    send: Callable  # send(world) -> response
    status: int
    code: str | None = None  # the documented error code, when the answer is an error
    shape: object = None  # a spec of tests/contract/shapes.py for a JSON body
    then: Callable | None = None  # then(body_or_response, world): further asserts
    mimetype: str | None = None  # a file answer (PDF, XLSX, CSV)


def _value(value, world):
    return value(world) if callable(value) else value


def tenant(who, world):
    """A tenant by its attribute name in tests/conftest.py `tenants` ("admin_a"), a function of the world, or None."""
    return getattr(world.t, who) if isinstance(who, str) else _value(who, world)


def request(method: str, path, who=None, **kwargs) -> Callable:
    """A case's request: `path` and each keyword a value or a function of the world; `who` as `tenant` reads it."""
    return lambda w: w.call(method, _value(path, w), tenant(who, w), **{k: _value(v, w) for k, v in kwargs.items()})


def no_token(method: str, path) -> Case:
    return Case("401 without a token", request(method, path), 401, "unauthorized")


def wrong_role(method: str, path, who, **kwargs) -> Case:
    return Case("403 for a role the row does not name", request(method, path, who, **kwargs), 403, "forbidden")


def outside_scope(method: str, path, who, name="", **kwargs) -> Case:
    return Case(f"404 outside the caller's scope{name}", request(method, path, who, **kwargs), 404, "not_found")


def _check(case: Case, response, world) -> list[str]:
    found: list[str] = []
    body = response.get_json(silent=True)
    text = (
        json.dumps(body, ensure_ascii=False)
        if body is not None
        else response.get_data()[:300].decode("utf-8", "replace")
    )
    if response.status_code != case.status:
        found.append(f"status: expected {case.status}, got {response.status_code}: {text[:300]}")
    if case.status >= 400:
        found += error_problems(response.status_code, body)
        code = (body or {}).get("error", {}).get("code") if isinstance(body, dict) else None
        if case.code is not None and code != case.code:
            found.append(f"error.code: expected {case.code!r}, got {code!r}")
    if case.mimetype is not None and response.mimetype != case.mimetype:
        found.append(f"content type: expected {case.mimetype}, got {response.mimetype}")
    if case.shape is not None and response.status_code == case.status:
        found += problems(case.shape, body)
    if case.then is not None and not found:
        try:
            case.then(response if case.mimetype else body, world)
        except AssertionError as error:
            found.append(f"then: {error}" if str(error) else "then: " + traceback.format_exc(limit=-1).strip())
    return found


def run(cases: list[Case], world) -> None:
    """Run a row's cases; fail once with every mismatch of every case."""
    failures: list[str] = []
    for case in cases:
        world.clock.set(world.start)
        try:
            response = case.send(world)
        except Exception as error:  # a step before the request failed: report it with the others
            failures.append(f"[{case.name}] set-up failed: {type(error).__name__}: {str(error)[:400]}")
            continue
        failures += [f"[{case.name}] {problem}" for problem in _check(case, response, world)]
    if failures:
        pytest.fail("\n".join(failures), pytrace=False)
