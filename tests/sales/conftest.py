import pytest
from django.utils import translation


@pytest.fixture
def english():
    """Refusals read in English: the tests match the messages' source text (the Chinese
    catalogue would answer otherwise: tests run in zh-hans like the product)."""
    with translation.override("en"):
        yield
