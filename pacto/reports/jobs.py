"""Report jobs."""
