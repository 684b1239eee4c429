"""Views of sales: opportunities."""
