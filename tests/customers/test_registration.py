"""Priority registration: the database decides who registered first (000 §3.2.c; SPEC §3)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from constance.test import override_config

from customers.errors import DuplicateCustomer, NotAllowed
from customers.models import Contact, Customer, CustomerKey, OwnershipEvent
from customers.normalize import KeyFormatError
from tests.factories import register

SH = ZoneInfo("Asia/Shanghai")
JAN15 = datetime(2026, 1, 15, 10, 0, tzinfo=SH)


def test_registration_writes_customer_keys_contact_and_event(org):
    c = register(
        org.sales_a,
        now=JAN15,
        phone="138-1234-5678",
        tax_id="91310000MA1FL2345X",
        contacts=[{"name": "李四", "gender": "M", "mobile": "+86 139 0000 1111"}],
    )
    assert c.holder == org.sales_a and c.pool == "" and c.department == org.a
    assert c.holder_since == JAN15 and c.acquired_via == "self_registered"
    assert set(c.keys.values_list("kind", "value")) == {
        ("phone", "13812345678"),
        ("phone", "13900001111"),
        ("tax_id", "91310000MA1FL2345X"),
        ("org_name", c.name),
    }
    event = OwnershipEvent.objects.get(customer=c)
    assert (event.kind, event.to_holder, event.actor, event.at) == (
        "self_registered",
        org.sales_a,
        org.sales_a,
        JAN15,
    )
    assert c.history.count() == 1
    assert c.code == f"KH{c.pk:08d}"


@pytest.mark.parametrize(
    ("field", "first", "second"),
    [
        ("phone", "13812345678", "+86 138-1234-5678"),
        ("tax_id", "91310000MA1FL2345X", "91310000-ma1fl2345x"),
        ("name", "上海华东（集团）有限公司", "上海 华东(集团)有限公司"),
    ],
)
def test_second_registration_of_the_same_key_is_refused(org, field, first, second):
    register(org.sales_a, now=JAN15, **{field: first})
    before = (Customer.objects.count(), CustomerKey.objects.count(), OwnershipEvent.objects.count())
    with pytest.raises(DuplicateCustomer):
        register(org.sales_b, **{field: second})
    after = (Customer.objects.count(), CustomerKey.objects.count(), OwnershipEvent.objects.count())
    assert after == before, "nothing written"


def test_contact_phone_collides_with_customer_phone(org):
    register(org.sales_a, phone="13812345678")
    with pytest.raises(DuplicateCustomer):
        register(org.sales_b, contacts=[{"name": "王五", "gender": "F", "phone": "138 1234 5678"}])
    assert not Contact.objects.filter(name="王五").exists()


def test_refusal_names_holder_department_and_date_and_nothing_else(org):
    register(
        org.sales_a,
        now=JAN15,
        phone="13812345678",
        address="上海市秘密路1号",
        contacts=[{"name": "李四", "gender": "M", "mobile": "13900001111"}],
    )
    with pytest.raises(DuplicateCustomer) as refused:
        register(org.sales_b, phone="13812345678")
    message = str(refused.value)
    assert org.sales_a.display_name in message
    assert "华东销售部" in message
    assert "2026-01-15" in message
    for secret in ("13812345678", "138****5678", "秘密路", "李四", "13900001111"):
        assert secret not in message


def test_refusal_for_a_pooled_customer_names_the_pool(org):
    from customers.services import ownership_transfer

    c = register(org.sales_a, phone="13812345678")
    ownership_transfer(
        customer=c,
        to_pool="department",
        kind="reclaim",
        actor=None,
        now=datetime(2026, 3, 1, tzinfo=SH),
    )
    with pytest.raises(DuplicateCustomer) as refused:
        register(org.sales_a2, phone="13812345678")
    assert "华东销售部" in str(refused.value) and "公共" in str(refused.value)
    assert "2026-03-01" in str(refused.value)


def test_individual_customers_do_not_collide_on_name(org):
    register(org.sales_a, name="王建华", is_organisation=False)
    register(org.sales_b, name="王建华", is_organisation=False)
    assert Customer.objects.filter(name="王建华").count() == 2


def test_malformed_phone_writes_nothing(org):
    with pytest.raises(KeyFormatError):
        register(org.sales_a, phone="12-ab")
    assert Customer.objects.count() == 0


def test_accountant_cannot_register(org):
    with pytest.raises(NotAllowed):
        register(org.accountant_a)
    assert Customer.objects.count() == 0


def test_store_collected_customer_goes_to_the_department_pool(org):
    c = register(org.sales_a, source="walk_in")
    assert c.holder is None and c.pool == "department" and c.department == org.a
    with override_config(STORE_COLLECTED_SOURCES="exhibition"):
        c2 = register(org.sales_a, source="walk_in")
    assert c2.holder == org.sales_a


def test_missing_basic_fields_follow_the_setting(org):
    c = register(org.sales_a, fax="", bank="", bank_account="", tax_id="")
    assert c.missing_basic_fields() == ["fax", "tax_id", "bank", "bank_account"]
    assert c.is_incomplete and c.completion_due == JAN15.date()
    with override_config(BASIC_FIELDS="name,phone"):
        assert c.missing_basic_fields() == []


def test_an_old_duplicate_contact_does_not_block_other_edits_but_a_new_one_is_refused(org):
    """Old data holding a contact with another customer's phone (entered before the rule; the
    duplicates report lists it) used to refuse every later edit of the customer — the
    accountant could not add a bank account. Only what an edit adds is checked."""
    from customers.services import contact_update, customer_update

    first = register(org.sales_a, now=JAN15, phone="13812345678")
    second = register(org.sales_a, now=JAN15, phone="13900001111")
    legacy = Contact.objects.create(customer=second, name="采购刘经理", mobile="13812345678")
    keys = set(CustomerKey.objects.values_list("customer_id", "kind", "value"))

    saved = customer_update(
        actor=org.accountant_a, customer=second, data={"bank": "招商银行"}, now=JAN15
    )
    assert saved.bank == "招商银行"
    contact_update(actor=org.sales_a, contact=legacy, data={"name": "刘经理"}, now=JAN15)
    # The old duplicate stays the first customer's key; nothing was claimed or released.
    assert set(CustomerKey.objects.values_list("customer_id", "kind", "value")) == keys

    with pytest.raises(DuplicateCustomer):  # what an edit adds is still checked
        customer_update(
            actor=org.sales_a,
            customer=second,
            data={"fax": "", "phone": "138 1234 5678"},
            now=JAN15,
        )
    with pytest.raises(DuplicateCustomer):
        contact_update(actor=org.sales_a, contact=legacy, data={"phone": "13812345678"}, now=JAN15)
    second.refresh_from_db()
    assert second.phone == "13900001111" and first.keys.filter(value="13812345678").exists()
