"""Filing tests reuse the course helpers."""

from tests.courses.conftest import new_course  # noqa: F401  (fixtures)
