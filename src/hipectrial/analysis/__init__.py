"""Endpoint derivation and statistics over TrialData. Empty until its issue lands; see DESIGN.md."""
