"""Views of sales: reports."""
