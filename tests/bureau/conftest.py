from tests.rosters.conftest import finalize, finished  # noqa: F401 -- shared fixtures
