"""Tap-to-call (issue 14): a number the viewer sees in full is a `tel:` link; a masked number
(000 §3.1.c) stays plain text, so its digits never reach the page inside a link either."""

from django.template import Context, Template

from customers.models import Contact, Customer

TEMPLATE = Template("{% load customers_tags %}{{ obj|phone_link:field }}")


def render(obj, field):
    return TEMPLATE.render(Context({"obj": obj, "field": field}))


def test_a_number_seen_in_full_is_a_tel_link():
    customer = Customer(phone="021-6234 5678")
    customer.contacts_masked = False
    assert render(customer, "phone") == ('<a class="tel" href="tel:02162345678">021-6234 5678</a>')


def test_a_masked_number_is_plain_text_without_its_digits():
    customer = Customer(phone="13812345678")
    customer.contacts_masked = True
    html = render(customer, "phone")
    assert "tel:" not in html and "<a" not in html
    assert "1234" not in html and html.startswith("138")


def test_a_customer_read_without_the_mask_flag_counts_as_masked():
    assert "tel:" not in render(Customer(phone="13812345678"), "phone")


def test_a_contacts_mobile_follows_its_customer_and_empty_shows_a_dash():
    customer = Customer(phone="")
    customer.contacts_masked = False
    contact = Contact(customer=customer, mobile="+86 139 0000 1111", phone="")
    assert render(contact, "mobile") == (
        '<a class="tel" href="tel:+8613900001111">+86 139 0000 1111</a>'
    )
    assert render(contact, "phone") == "—"
    assert render(customer, "phone") == "—"


def test_markup_in_a_number_is_escaped():
    customer = Customer(phone='138<script>"')
    customer.contacts_masked = False
    html = render(customer, "phone")
    assert "<script>" not in html and "&lt;script&gt;" in html
