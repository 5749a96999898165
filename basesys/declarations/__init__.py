"""Hour declarations (学时折算申报, DOMAIN.md §11): rules as data, evidence, the review chain."""
