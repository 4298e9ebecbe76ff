"""Evidence-based resources: the library and its resource pages (issue: knowledge library)."""
