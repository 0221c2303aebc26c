"""A trial's data in the standard formats, and back: CDISC ODM 1.3.2 (``export.odm``),
SDTM + Define-XML 2.1 (``export.sdtm``), REDCap (``export.redcap``), spreadsheets
(``export.sheets``), all made from one flattening of ``TrialData`` into tables
(``export.tables``); ``export.bundle`` gives every format one signature. See DESIGN.md."""
