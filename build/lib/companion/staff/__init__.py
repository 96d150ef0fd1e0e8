"""Web pages for site staff: sign-in, the leads workflow and the audit trail."""
