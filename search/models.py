"""Search logging and synonyms (issue: search)."""
