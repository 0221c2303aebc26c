"""The Django EDC: the only package that may import Django. Empty until its issue lands; see DESIGN.md."""
