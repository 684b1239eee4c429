"""Views of sales: receivables."""
