"""Fidelity and utility metrics for synthetic time series."""
