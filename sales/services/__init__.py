"""Writes of sales (SPEC §10), one module per area."""
