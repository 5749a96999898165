"""Calendars: the base's month and week calendars, iCalendar feeds, the self-enrolment link (issue 13)."""
