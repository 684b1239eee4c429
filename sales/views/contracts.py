"""Views of sales: contracts."""
