"""Reads of sales (SPEC §10), one module per area; `common` holds the visibility rule."""
