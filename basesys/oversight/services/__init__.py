"""Oversight services: detection, recomputation, review and the reads of the pages and the API."""
