"""Sales credit rows for purchase records (customers.Deal), written in the deal's transaction
through customers' deal hook, so every sales figure reads one table (sales.models.credit)."""

from django.utils import timezone

from .models import SalesCredit


def credit_department(user_id, customer):
    """The credited person's department now, or the customer's for an uncredited sale."""
    if user_id is None:
        return customer.department_id
    from crm.models import Staff

    return Staff.objects.filter(user_id=user_id).values_list("department_id", flat=True).first()


def credit_for_deal(*, deal, now) -> SalesCredit:
    return SalesCredit.objects.create(
        kind=SalesCredit.Kind.DEAL,
        user_id=deal.credited_to_id,
        department_id=credit_department(deal.credited_to_id, deal.customer),
        customer_id=deal.customer_id,
        on_date=timezone.localdate(deal.occurred_at),
        amount=deal.amount,
        quantity=deal.quantity,
        deal=deal,
        created_at=now,
    )


def connect_deal_hook() -> None:
    from customers.services.records import register_deal_hook

    register_deal_hook(credit_for_deal)
