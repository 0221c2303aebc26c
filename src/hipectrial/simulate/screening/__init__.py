"""Simulated accrual and screening: arrivals, findings, the protocol's verdict."""
