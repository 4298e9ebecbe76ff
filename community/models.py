"""Partner CoPs, working groups and membership (issues: partners, membership)."""
