"""Views of sales, one module per area."""
