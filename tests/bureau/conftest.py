from tests.rosters.conftest import clock, finalize, finished  # noqa: F401 -- shared fixtures
