"""Leads workflow: coordinators contact people who finished the pre-screen and record the result."""
