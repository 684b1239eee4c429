"""Register, edit and contact pages: bad input gets a clear Chinese message and writes
nothing; who may edit which fields (SPEC §1–3)."""

import pytest
from django.urls import reverse

from customers.models import Contact, Customer
from customers.selectors import ARCHIVE_FIELDS
from tests.factories import customer_data, register


def register_post(client, **overrides):
    data = {
        k: ("on" if v is True else v)
        for k, v in customer_data(**overrides).items()
        if v is not False
    }
    data.update(
        {
            "customer_class": "potential",
            "contacts-TOTAL_FORMS": "1",
            "contacts-INITIAL_FORMS": "0",
            "contacts-MIN_NUM_FORMS": "0",
            "contacts-MAX_NUM_FORMS": "10",
        }
    )
    return client.post(reverse("customers:register"), data)


def test_salesperson_registers_through_the_form(org, login):
    client = login(org.sales_a)
    response = register_post(client, name="表单客户有限公司", phone="13855556666")
    assert response.status_code == 302
    customer = Customer.objects.get(name="表单客户有限公司")
    assert customer.holder == org.sales_a
    assert response.url == reverse("customers:detail", args=[customer.pk])


def test_duplicate_registration_shows_who_holds_it_and_writes_nothing(org, login):
    register(org.sales_b, name="已登记有限公司", phone="13855556666", address="广州市某路1号")
    client = login(org.sales_a)
    response = register_post(client, name="另一个名字", phone="138 5555 6666")
    body = response.content.decode()
    assert response.status_code == 400
    assert org.sales_b.display_name in body and "华南销售部" in body
    assert "不能重复登记" in body
    assert "广州市某路" not in body and "已登记有限公司" not in body
    assert Customer.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": ""}, "这个字段是必填项"),
        ({"name": "   "}, "这个字段是必填项"),
        ({"phone": "12ab"}, "不是有效的电话号码"),
        ({"name": "长" * 10_000}, "不超过 200 字符"),
        ({"tax_id": "123"}, "不是有效的税号"),
        ({"source": "nonsense"}, "选择一个有效的选项"),
    ],
)
def test_bad_input_is_refused_in_chinese_and_writes_nothing(org, login, overrides, message):
    response = register_post(login(org.sales_a), **overrides)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Customer.objects.count() == 0


def test_accountant_and_anonymous_cannot_open_register(org, login, client):
    assert login(org.accountant_a).get(reverse("customers:register")).status_code == 404


def test_accountant_edits_archive_fields_and_history_records_it(org, login):
    customer = register(org.sales_a, bank="")
    client = login(org.accountant_a)
    form = client.get(reverse("customers:edit", args=[customer.pk])).content.decode()
    assert 'name="bank"' in form and 'name="intent_grade"' not in form
    data = {f: getattr(customer, f) for f in ARCHIVE_FIELDS if f != "is_organisation"}
    data.update({"bank": "招商银行", "is_organisation": "on"})
    response = client.post(reverse("customers:edit", args=[customer.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    customer.refresh_from_db()
    assert customer.bank == "招商银行"
    latest = customer.history.first()
    assert latest.history_user == org.accountant_a and latest.bank == "招商银行"


def test_accountant_cannot_change_classification_even_by_posting_it(org):
    from customers.errors import NotAllowed
    from customers.services import customer_update

    customer = register(org.sales_a, intent_grade="B")
    with pytest.raises(NotAllowed):
        customer_update(
            actor=org.accountant_a,
            customer=customer,
            data={"intent_grade": "A"},
            now=customer.registered_at,
        )


def test_colleague_cannot_edit_or_add_contacts(org, login):
    customer = register(org.sales_a)
    client = login(org.sales_a2)
    assert client.get(reverse("customers:edit", args=[customer.pk])).status_code == 404
    assert client.get(reverse("customers:contact_add", args=[customer.pk])).status_code == 404


def test_edit_to_a_registered_phone_is_refused_and_keeps_the_record(org, login):
    register(org.sales_b, phone="13866667777")
    mine = register(org.sales_a, phone="13800001111")
    from customers.errors import DuplicateCustomer
    from customers.services import customer_update

    with pytest.raises(DuplicateCustomer):
        customer_update(
            actor=org.sales_a, customer=mine, data={"phone": "13866667777"}, now=mine.registered_at
        )
    mine.refresh_from_db()
    assert mine.phone == "13800001111"
    assert set(mine.keys.filter(kind="phone").values_list("value", flat=True)) == {"13800001111"}


def test_changing_a_phone_frees_the_old_key(org):
    from customers.services import customer_update

    mine = register(org.sales_a, phone="13800001111")
    customer_update(
        actor=org.sales_a, customer=mine, data={"phone": "13800002222"}, now=mine.registered_at
    )
    register(org.sales_b, phone="13800001111")  # now free


def test_adding_a_contact_with_a_taken_mobile_is_refused_with_a_message(org, login):
    register(org.sales_b, phone="13866667777")
    mine = register(org.sales_a)
    response = login(org.sales_a).post(
        reverse("customers:contact_add", args=[mine.pk]),
        {"name": "新联系人", "gender": "F", "mobile": "138-6666-7777"},
    )
    assert response.status_code == 400
    assert "不能重复登记" in response.content.decode()
    assert not Contact.objects.filter(name="新联系人").exists()


def test_contact_needs_a_number(org, login):
    mine = register(org.sales_a)
    response = login(org.sales_a).post(
        reverse("customers:contact_add", args=[mine.pk]), {"name": "无号码", "gender": "M"}
    )
    assert response.status_code == 400
    assert not Contact.objects.filter(name="无号码").exists()
