"""REDCap: the protocol as a REDCap project (data dictionary, events, arms, instrument
designations, repeating setup), a trial's records as a REDCap flat record file, and such a
file read back into ``TrialData``."""
