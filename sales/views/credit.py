"""Views of sales: credit."""
