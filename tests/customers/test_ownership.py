"""The one holder service: every move writes its event and history together (SPEC §3)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from constance.test import override_config

from customers.errors import OwnershipConflict
from customers.models import Customer, OwnershipEvent
from customers.services import customers_refresh_completeness, ownership_transfer
from tests.factories import register

SH = ZoneInfo("Asia/Shanghai")
APR15 = datetime(2026, 4, 15, 0, 10, tzinfo=SH)


def test_reclaim_to_department_pool_writes_event_and_history(org):
    c = register(org.sales_a)
    ownership_transfer(
        customer=c,
        to_pool="department",
        kind="reclaim",
        actor=None,
        now=APR15,
        reason="90 天无成交",
    )
    c.refresh_from_db()
    assert (c.holder, c.pool, c.department, c.holder_since) == (None, "department", org.a, APR15)
    event = c.events.first()
    assert (event.kind, event.from_holder, event.to_pool, event.at) == (
        "reclaim",
        org.sales_a,
        "department",
        APR15,
    )
    latest = c.history.first()
    assert latest.holder is None and latest.history_date == APR15
    assert latest.history_change_reason.startswith("reclaim")


def test_company_pool_belongs_to_no_department(org):
    c = register(org.sales_a)
    ownership_transfer(customer=c, to_pool="company", kind="reclaim", actor=None, now=APR15)
    c.refresh_from_db()
    assert c.department is None and c.pool == "company"


def test_distribution_to_a_person_moves_the_customer_into_their_department(org):
    c = register(org.sales_a)
    ownership_transfer(customer=c, to_pool="company", kind="reclaim", actor=None, now=APR15)
    ownership_transfer(
        customer=c,
        to_holder=org.sales_b,
        kind="distributed",
        actor=org.gm,
        now=APR15,
        approval_ref="FF-1",
    )
    c.refresh_from_db()
    assert (c.holder, c.department, c.acquired_via) == (org.sales_b, org.b, "distributed")
    assert c.events.first().approval_ref == "FF-1"


def test_move_is_refused_when_someone_else_moved_it_first(org):
    c = register(org.sales_a)
    ownership_transfer(customer=c, to_pool="department", kind="reclaim", actor=None, now=APR15)
    with pytest.raises(OwnershipConflict):
        ownership_transfer(
            customer=c,
            to_holder=org.sales_a2,
            kind="distributed",
            actor=org.manager_a,
            now=APR15,
            expected_holder_id=org.sales_a.pk,
        )
    c.refresh_from_db()
    assert c.holder is None
    assert OwnershipEvent.objects.filter(customer=c).count() == 2


def test_both_holder_and_pool_is_refused(org):
    c = register(org.sales_a)
    with pytest.raises(ValueError):
        ownership_transfer(
            customer=c,
            to_holder=org.sales_b,
            to_pool="company",
            kind="distributed",
            actor=None,
            now=APR15,
        )


def test_database_refuses_a_customer_both_held_and_pooled(org):
    from django.db import IntegrityError, transaction

    c = register(org.sales_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        Customer.objects.filter(pk=c.pk).update(pool="company")


def test_events_are_append_only(org):
    c = register(org.sales_a)
    event = c.events.first()
    event.reason = "改写"
    with pytest.raises(ValueError):
        event.save()


def test_changing_the_basic_field_list_recomputes_completeness(org):
    c = register(org.sales_a, fax="", bank="", bank_account="", tax_id="")
    assert c.is_incomplete
    assert customers_refresh_completeness(fields=["name", "phone", "address"]) == 1
    c.refresh_from_db()
    assert not c.is_incomplete and c.completion_due is None
    assert customers_refresh_completeness() == 1
    c.refresh_from_db()
    assert c.is_incomplete


def test_admin_change_of_the_basic_field_list_triggers_the_recompute(org):
    c = register(org.sales_a, fax="")
    with override_config(BASIC_FIELDS="name,phone"):  # sends constance's config_updated
        c.refresh_from_db()
        assert not c.is_incomplete
    c.refresh_from_db()
    assert c.is_incomplete


def test_a_customer_is_never_deleted_through_the_orm(org):
    """Events and notices keep their customer without a database FK check (customers 0009):
    the ORM's PROTECT refuses deleting a customer that has an ownership event."""
    from django.db.models import ProtectedError

    c = register(org.sales_a)
    assert c.events.exists()
    with pytest.raises(ProtectedError):
        c.delete()
    assert Customer.objects.filter(pk=c.pk).exists()


def test_postgresql_refuses_deleting_a_customer_even_around_the_orm(org):
    from django.db import DatabaseError, connection, transaction

    if connection.vendor != "postgresql":
        pytest.skip("SQLite keeps the ORM's PROTECT only (see customers migration 0009)")
    c = register(org.sales_a)
    with pytest.raises(DatabaseError, match="never deleted"), transaction.atomic():
        Customer.objects.filter(pk=c.pk)._raw_delete(Customer.objects.db)
    assert Customer.objects.filter(pk=c.pk).exists()
    assert OwnershipEvent.objects.filter(customer_id=c.pk).exists()


def test_the_customer_history_keeps_only_the_indexes_it_is_read_by():
    """`SweptHistoricalRecords` leans on two simple-history internals; a library upgrade that
    stops honouring them would put two index entries per moved customer back into the sweep."""
    history = Customer.history.model._meta
    assert history.get_field("history_date").db_index is False
    user = history.get_field("history_user")
    assert user.db_index is False and user.db_constraint is False
    assert history.get_field("id").db_index is True  # a customer's history is read by its id
