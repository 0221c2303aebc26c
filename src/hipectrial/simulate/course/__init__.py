"""One registered participant's simulated course, from registration to the end."""
