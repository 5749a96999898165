"""Filing with the bureau (备案): course filings, and (in `rosters/`) roster filings (DOMAIN.md §4, §9)."""
