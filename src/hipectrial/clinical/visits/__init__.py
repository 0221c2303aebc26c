"""Visit windows of one participant's schedule, and protocol deviations."""
