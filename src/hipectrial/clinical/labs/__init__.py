"""Lab values: units and conversion, and CTCAE v5.0 grading."""
