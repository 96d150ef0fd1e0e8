"""Enrolled patients: their visit calendars, feeds and home-injection diary."""
