"""Quality evaluation (质量评估, DOMAIN.md §13): once-only anonymous answers and their aggregates."""
