"""The simulation scenario: the world a virtual trial runs in (YAML in ../scenarios/)."""
