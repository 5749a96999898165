from tests.rosters.conftest import finalize, finished  # noqa: F401 -- a finalised course with certificates
