"""Oversight (监督, DOMAIN.md §14): anomalies found in the stored records, with evidence and a review."""
