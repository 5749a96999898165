"""Fixtures of the annual statement tests: those of tests/certificates (a finalised course, and
`declared`: the declarations feature's ledger rows written directly)."""

from tests.certificates.conftest import attend, declared, finalized, finished  # noqa: F401 -- shared fixtures
