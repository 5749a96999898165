"""Notifications: in-app messages to users and their e-mail copies, for every feature (DOMAIN.md §9)."""
