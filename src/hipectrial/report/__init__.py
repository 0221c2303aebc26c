"""DSMB and study reports. Empty until its issue lands; see DESIGN.md."""
