"""The bureau's workspace: home counters and charts, lists of courses, rosters and certificates, the audit log."""
