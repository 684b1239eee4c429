"""Collections (回款, SPEC §10) against a signed contract's instalments: partial and full,
over-collection refused, reversal by a negative collection; finance only."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from crm.errors import RuleError
from sales.models import Collection
from sales.services.contracts import collection_record, collection_reverse
from tests.factories import register
from tests.sales.test_contracts_helpers import NOW, REGISTERED, draft, signed

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def first(org):
    customer = register(org.sales_a, now=REGISTERED)
    return signed(org.sales_a, customer).instalments.get(seq=1)  # 12,000 due 05-10


def collect(actor, instalment, amount, on=date(2026, 4, 15)):
    return collection_record(
        actor=actor, instalment=instalment, amount=Decimal(amount), received_on=on, now=NOW
    )


def test_partial_then_full_collection_settles_the_instalment(org, first):
    collect(org.accountant_a, first, "5000")
    first.refresh_from_db()
    assert first.paid == Decimal("5000.00") and first.outstanding == Decimal("7000.00")
    assert first.settled_on is None
    collect(org.manager_a, first, "7000", on=date(2026, 4, 18))
    first.refresh_from_db()
    assert first.paid == first.amount and first.settled_on == date(2026, 4, 18)


def test_over_collection_is_refused(org, first):
    collect(org.accountant_a, first, "10000")
    with pytest.raises(RuleError, match="outstanding"):
        collect(org.accountant_a, first, "2000.01")
    for amount in ("0", "-5"):
        with pytest.raises(RuleError):
            collect(org.accountant_a, first, amount)
    assert Collection.objects.count() == 1


def test_received_date_is_not_in_the_future(org, first):
    with pytest.raises(RuleError):
        collect(org.accountant_a, first, "100", on=NOW.date() + timedelta(days=1))


def test_only_finance_or_managers_of_the_department_collect(org, first):
    for outsider in (org.sales_a, org.sales_b, org.accountant_b, org.manager_b):
        with pytest.raises(RuleError):
            collect(outsider, first, "100")
    assert not Collection.objects.exists()


def test_no_collection_against_a_draft(org):
    customer = register(org.sales_a, now=REGISTERED)
    instalment = draft(org.sales_a, customer).instalments.get(seq=1)
    with pytest.raises(RuleError, match="signed"):
        collect(org.accountant_a, instalment, "100")


def test_reversal_is_a_negative_collection_and_reopens_the_instalment(org, first):
    original = collect(org.accountant_a, first, "12000")
    reversal = collection_reverse(
        actor=org.accountant_a, collection=original, reason="银行退票", now=NOW
    )
    assert reversal.amount == Decimal("-12000.00") and reversal.reverses == original
    assert reversal.received_on == original.received_on
    first.refresh_from_db()
    assert first.paid == 0 and first.settled_on is None
    original.refresh_from_db()
    assert original.amount == Decimal("12000.00")  # the original stays
    with pytest.raises(RuleError, match="already reversed"):
        collection_reverse(actor=org.accountant_a, collection=original, reason="再次", now=NOW)
    with pytest.raises(RuleError):
        collection_reverse(actor=org.accountant_a, collection=reversal, reason="再次", now=NOW)
    with pytest.raises(RuleError):
        collection_reverse(actor=org.accountant_b, collection=original, reason="x", now=NOW)
