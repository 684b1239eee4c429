"""Branded error pages (issue 14, defect 9 / Build 5): 403, 404, 500 and a refused CSRF check
answer in Chinese (English when chosen) in the site's look, with a way back; a logged-in person
keeps the navigation on 403 and 404; the 500 page needs no database; a 404 reads the same
whether the object does not exist or is hidden from the reader. DEBUG is False in the test
settings, as in production."""

import re

import pytest
from django.conf import settings
from django.db import OperationalError, connection
from django.test import Client, override_settings

from tests.factories import register

pytestmark = pytest.mark.django_db

ERRORS_URLCONF = "tests.crm.errors_urls"


def body(response) -> str:
    return response.content.decode()


def assert_way_back(html: str) -> None:
    assert 'data-testid="back-dashboard"' in html
    assert re.search(r'<a class="button primary" href="/"[^>]*>返回工作台</a>', html)


def assert_site_look(html: str) -> None:
    assert '<link rel="stylesheet" href="/static/css/app.css">' in html
    assert "客户资源管理系统" in html  # the brand in the header


def test_not_found_is_chinese_with_navigation_and_a_way_back(client, org):
    client.force_login(org.sales_a)
    response = client.get("/customers/999999/")
    assert response.status_code == 404
    html = body(response)
    assert "页面不存在" in html
    assert "该页面不存在或您无权查看" in html
    assert_way_back(html)
    assert_site_look(html)
    assert 'class="mainnav"' in html and 'data-nav="dashboard"' in html, "the navigation stays"
    assert "Not Found" not in html and "The requested resource" not in html


def test_not_found_reads_the_same_for_a_hidden_customer_and_a_missing_one(client, org):
    hidden = register(org.sales_b)  # another department's customer: not visible to sales_a
    client.force_login(org.sales_a)
    seen = client.get(f"/customers/{hidden.pk}/")
    missing = client.get(f"/customers/{hidden.pk + 1000}/")
    assert seen.status_code == missing.status_code == 404

    def normalised(response, pk):
        html = body(response).replace(f"/customers/{pk}/", "/customers/PK/")
        return re.sub(r'(name="csrfmiddlewaretoken" value=|"X-CSRFToken": )"[^"]+"', "TOKEN", html)

    assert normalised(seen, hidden.pk) == normalised(missing, hidden.pk + 1000)
    assert hidden.name not in body(seen)


def test_previous_page_link_only_for_this_site(client, org):
    client.force_login(org.sales_a)
    own = client.get("/customers/999999/", HTTP_REFERER="http://testserver/customers/")
    assert re.search(r'href="http://testserver/customers/"[^>]*>返回上一页</a>', body(own))
    foreign = client.get("/customers/999999/", HTTP_REFERER="https://evil.example/x")
    assert "evil.example" not in body(foreign) and "返回上一页" not in body(foreign)


def test_not_found_in_english_when_chosen(client, org):
    client.force_login(org.sales_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = body(client.get("/no-such-page/"))
    assert "Page not found" in html and "Back to the dashboard" in html
    assert "页面不存在" not in html


def test_not_found_for_an_anonymous_visitor_has_no_navigation(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = body(response)
    assert "页面不存在" in html and 'class="mainnav"' not in html
    assert_way_back(html)


@override_settings(ROOT_URLCONF=ERRORS_URLCONF)
def test_forbidden_is_chinese_with_navigation_and_a_way_back(client, org):
    client.force_login(org.manager_a)
    response = client.get("/test-errors/forbidden/")
    assert response.status_code == 403
    html = body(response)
    assert "无权访问" in html and "您没有权限打开此页面" in html
    assert_way_back(html)
    assert_site_look(html)
    assert 'class="mainnav"' in html and 'data-nav="dashboard"' in html
    assert "403 Forbidden" not in html


def test_admin_refusal_uses_the_same_page(client, org):
    # The GM keeps the organisation in the admin but may not open the ledger's admin list.
    client.force_login(org.gm)
    response = client.get("/admin/penalties/closedmonth/add/")
    assert response.status_code == 403
    assert "无权访问" in body(response)


@override_settings(ROOT_URLCONF=ERRORS_URLCONF)
def test_server_error_is_chinese_in_the_site_look(org):
    client = Client(raise_request_exception=False)
    client.force_login(org.sales_a)
    response = client.get("/test-errors/boom/", HTTP_REFERER="http://testserver/customers/")
    assert response.status_code == 500
    html = body(response)
    assert "系统出错了" in html and "请稍后重试" in html
    assert_way_back(html)
    assert_site_look(html)
    assert "返回上一页" in html
    assert "a bug" not in html and "RuntimeError" not in html, "nothing of the exception shows"
    assert "Server Error (500)" not in html


@override_settings(ROOT_URLCONF=ERRORS_URLCONF)
def test_server_error_page_needs_no_database(org):
    """Every query fails once the view has started (as when the database goes away): the page
    must still render, so it may use no session, user or navigation."""
    client = Client(raise_request_exception=False)
    client.force_login(org.sales_a)

    def refuse(execute, sql, params, many, context):
        raise OperationalError("the database is down")

    connection.execute_wrappers.append(refuse)
    try:
        response = client.get("/test-errors/database-down/")
    finally:
        connection.execute_wrappers.remove(refuse)
    assert response.status_code == 500
    html = body(response)
    assert "系统出错了" in html
    assert_way_back(html)
    assert 'class="mainnav"' not in html


def test_csrf_failure_is_chinese_with_a_way_back(org):
    client = Client(enforce_csrf_checks=True)
    client.force_login(org.sales_a)
    response = client.post("/notifications/read/", {}, HTTP_REFERER="http://testserver/")
    assert response.status_code == 403
    html = body(response)
    assert "页面已过期" in html and "本次未保存任何内容" in html
    assert_way_back(html)
    assert 'class="mainnav"' in html
    assert "CSRF verification failed" not in html and "Forbidden" not in html


def test_csrf_failure_in_english_when_chosen(org):
    client = Client(enforce_csrf_checks=True)
    client.force_login(org.sales_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post("/notifications/read/", {})
    assert response.status_code == 403
    assert "The page has expired" in body(response)


def test_error_pages_keep_the_content_security_policy(client, org):
    client.force_login(org.sales_a)
    html = body(client.get("/no-such-page/"))
    assert "<script>" not in html and " style=" not in html and not re.search(r" on\w+=", html)
