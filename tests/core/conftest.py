"""Fixtures of tests/core shared from the features' test folders."""

from tests.rosters.conftest import finalize  # noqa: F401 -- test_statements: a history of finalised courses
