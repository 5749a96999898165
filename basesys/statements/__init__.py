"""Annual statements (学时证明, DOMAIN.md §15)."""
