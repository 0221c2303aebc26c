"""Prescription and dose modification: the protocol's dose rules for one participant."""
