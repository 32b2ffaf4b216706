"""Shared helpers for the edigw test suite (not part of the shipped package)."""
