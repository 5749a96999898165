"""Finalisation, the hours ledger (学时银行) and signed electronic certificates (DOMAIN.md §8, §10)."""
