"""The contract tests' world: the shared tenants, and the courses the cases act on, made lazily so a
row's test builds only what its cases use. Everything a case checks goes through the HTTP API."""

import os
from functools import cached_property

import pytest

from tests.certificates.conftest import attend  # noqa: F401 -- shared fixtures
from tests.conftest import at
from tests.rosters.conftest import finalize, finished  # noqa: F401 -- shared fixtures


class World:
    """The tenants of tests/conftest.py, a client that calls as anyone, and courses in known states."""

    def __init__(self, request, client, api_headers, clock, tenants, make_course, make_trainee, enroll):
        self.request, self.client, self.api_headers, self.clock = request, client, api_headers, clock
        self.t, self.make_course, self.make_trainee, self.enroll = tenants, make_course, make_trainee, enroll
        self.start = clock()

    def call(self, method: str, path: str, who=None, *, headers: dict | None = None, **kwargs):
        """One request as `who` (a user or a trainee; None: no token)."""
        sent = self.api_headers(who, **(headers or {})) if who is not None else dict(headers or {})
        return self.client.open(path, method=method, headers=sent, **kwargs)

    def ok(self, method: str, path: str, who=None, **kwargs) -> dict:
        """A request that must succeed (a step before the call a case checks)."""
        response = self.call(method, path, who, **kwargs)
        assert response.status_code < 300, (
            f"{method} {path}: {response.status_code} {response.get_data(as_text=True)[:300]}"
        )
        return response.get_json() if response.is_json else {}

    def course(self, base=None, **fields):
        """An approved course of base A on 2025-06-10 09:00–12:00 unless told otherwise."""
        return self.make_course(base=base or self.t.base_a, **fields)

    @cached_property
    def running(self):
        """An approved in_out course of base A, 09:00–12:00 today (the clock is at 09:00), trainee enrolled."""
        course = self.course(sessions=[(at("2025-06-02", "09:00"), at("2025-06-02", "12:00"))])
        self.enroll(course, self.t.trainee)
        return course

    @cached_property
    def ended(self):
        """An approved course of base A that ended on 2025-05-27 (16 h planned): trainee attended all of it,
        other_trainee the first day only."""
        halves = (("08:30", "12:00"), ("13:30", "17:00"))
        days = ("2025-05-26", "2025-05-27")
        course = self.course(
            title="2025年专业技术人员专业科目培训班",
            sessions=[(at(day, start), at(day, end)) for day in days for start, end in halves],
        )
        self.enroll(course, self.t.trainee, self.t.other_trainee)
        present = self.request.getfixturevalue("attend")
        present(course, self.t.trainee)
        present(course, self.t.other_trainee, course.sessions[:2])
        return course

    @cached_property
    def certificate(self) -> dict:
        """The trainee's certificate of `ended`, finalised through the API, as GET /me/certificates gives it."""
        self.ok("POST", f"/api/v1/courses/{self.ended.id}/finalize", self.t.admin_a)
        items = self.ok("GET", "/api/v1/me/certificates", self.t.trainee)["items"]
        return next(item for item in items if item["course_id"] == self.ended.id)

    # `finished` writes certificates directly, numbered by its own counter: a row that uses it does not
    # also finalise through the API (`certificate`), or the two numberings meet.
    @cached_property
    def finished(self):
        """tests/rosters/conftest.py `finished`: a course of base A finalised on 2025-05-20 (roster due 2025-06-19)."""
        return self.request.getfixturevalue("finished")


@pytest.fixture
def world(request, client, api_headers, clock, tenants, make_course, make_trainee, enroll):
    return World(request, client, api_headers, clock, tenants, make_course, make_trainee, enroll)


# The schemathesis run is the bounded run on SQLite (its own demo database): the
# PostgreSQL pass does not collect it.
collect_ignore = ["test_schemathesis.py"] if os.environ.get("BASESYS_TEST_DB") == "postgres" else []
