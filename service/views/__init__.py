"""Views of customer service, one module per area."""
