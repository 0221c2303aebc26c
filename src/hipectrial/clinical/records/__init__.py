"""A record's values as the protocol declares them, and its derived variables."""
