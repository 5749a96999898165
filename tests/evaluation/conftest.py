"""Fixtures of the evaluation tests: the finished course of tests/certificates (trainee attended all of
it, other_trainee the first day) and a trainee enrolled on it who never came."""

import pytest

from tests.certificates.conftest import attend, finalized, finished  # noqa: F401, F811 -- shared fixtures

SCORES = {"content": 5, "teaching": 4, "organisation": 4, "venue": 3, "overall": 5}


@pytest.fixture
def absent(finished, make_trainee, enroll):  # noqa: F811 -- the shared fixture
    """A trainee enrolled on the finished course who never checked in."""
    trainee = make_trainee(name="赵六")
    enroll(finished.course, trainee)
    return trainee
