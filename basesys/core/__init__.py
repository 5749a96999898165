"""Cross-cutting pieces every feature uses: time, errors, audit, policy, API plumbing."""
