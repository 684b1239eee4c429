"""generate_sales_data at a tiny scale: the rows it writes keep the invariants the services keep
(instalments sum to the total, paid within amount and equal to the collections, credit rows
match the contracts, returns and purchase records)."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Count, Sum
from django.utils import timezone

from customers.models import Deal
from sales.models import (
    Collection,
    Contract,
    ContractLine,
    Instalment,
    Opportunity,
    ReturnRecord,
    SalesCredit,
    StageChange,
)

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 30)


@pytest.fixture
def generated():
    call_command(
        "generate_data",
        *("--customers", "300", "--staff", "40", "--departments", "3", "--followups", "1500"),
        *("--seed", "7", "--today", str(TODAY)),
    )
    call_command(
        "generate_sales_data",
        *("--opportunities", "200", "--contracts", "400", "--collections", "900"),
        *("--returns", "12", "--seed", "7", "--today", str(TODAY)),
    )


def _sums(model, key, field):
    return dict(model.objects.values(key).annotate(s=Sum(field)).values_list(key, "s"))


def test_generated_sales_rows_keep_the_invariants(generated):
    contracts = Contract.objects.all()
    assert contracts.count() == 400
    totals = dict(contracts.values_list("pk", "total"))
    assert _sums(ContractLine, "contract", "amount") == totals
    assert _sums(Instalment, "contract", "amount") == totals
    collected = _sums(Collection, "instalment", "amount")
    for pk, amount, paid, settled in Instalment.objects.values_list(
        "pk", "amount", "paid", "settled_on"
    ):
        assert Decimal(0) <= paid <= amount
        assert collected.get(pk, Decimal(0)) == paid
        assert (settled is not None) == (paid == amount)
    assert not Collection.objects.filter(contract__status="draft").exists()
    # Collections close to the requested count, dated no later than the data's today.
    assert 700 <= Collection.objects.count() <= 1100
    assert not Collection.objects.filter(received_on__gt=TODAY).exists()

    signed = contracts.filter(status="signed")
    credit = SalesCredit.objects.filter(kind="contract")
    assert credit.count() == signed.count()
    assert dict(credit.values_list("contract", "amount")) == dict(signed.values_list("pk", "total"))
    for row in credit.select_related("contract"):
        assert row.user_id == row.contract.credited_to_id
        assert row.on_date == timezone.localdate(row.contract.signed_at)

    returns = ReturnRecord.objects.select_related("contract_line")
    assert returns.count() == 12
    for record in returns:
        assert record.quantity <= record.contract_line.quantity
        assert record.amount == record.quantity * record.contract_line.unit_price
    assert dict(
        SalesCredit.objects.filter(kind="return").values_list("return_record", "amount")
    ) == {r.pk: -r.amount for r in returns}

    deals = Deal.objects.count()
    assert deals > 0
    assert SalesCredit.objects.filter(kind="deal").count() == deals
    assert (
        SalesCredit.objects.filter(kind="deal").aggregate(s=Sum("amount"))["s"]
        == (Deal.objects.aggregate(s=Sum("amount"))["s"])
    )


def test_opportunities_have_their_stage_history(generated):
    assert Opportunity.objects.count() == 200
    changes = dict(
        StageChange.objects.values("opportunity")
        .annotate(n=Count("id"))
        .values_list("opportunity", "n")
    )
    for opp in Opportunity.objects.all():
        assert changes[opp.pk] >= 1
        last = StageChange.objects.filter(opportunity=opp).order_by("-at", "-id").first()
        assert last.to_stage == opp.stage and last.at == opp.stage_changed_at
        assert (opp.closed_at is not None) == (opp.stage in ("won", "lost"))


def test_a_second_run_adds_nothing_and_the_same_seed_gives_the_same_rows(generated):
    before = list(Contract.objects.order_by("pk").values_list("number", "total", "signed_at"))
    call_command("generate_sales_data", "--contracts", "5", "--today", str(TODAY))
    assert Contract.objects.count() == 400
    assert SalesCredit.objects.filter(kind="deal").count() == Deal.objects.count()
    assert before[0][0].startswith("gen-HT")
