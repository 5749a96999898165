"""Bureaus, bases, staff accounts and trainees; the tenant walls between them (DOMAIN.md §1–2)."""
