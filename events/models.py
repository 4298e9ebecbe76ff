"""Webinars, trainings and meetings (issue: events)."""
