"""edigw tests."""
