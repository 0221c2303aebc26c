"""Virtual-trial generator. Empty until the simulation issue lands; see DESIGN.md."""
