from tests.certificates.conftest import declared  # noqa: F401 -- shared fixture (issue 14: declared hours)
from tests.rosters.conftest import finalize, finished  # noqa: F401 -- shared fixtures
