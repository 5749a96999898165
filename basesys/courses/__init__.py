"""Courses, advanced seminars and their sessions (课次); enrolment (DOMAIN.md §3, §5)."""
