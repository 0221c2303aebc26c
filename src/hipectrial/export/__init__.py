"""CDISC ODM, SDTM, REDCap and CSV exports. Empty until its issue lands; see DESIGN.md."""
