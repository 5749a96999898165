"""QR check-in (签到/签退), manual corrections (补签) and credited hours (学时认定), DOMAIN.md §6–§7."""
