"""The virtual trial: screening, courses and design decisions put together."""
