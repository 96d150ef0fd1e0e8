"""Symptom reports and their triage queue: the application side of the pure `symptoms` core."""
