"""The product catalogue, known issues, releases and engineering items (see models.py)."""
