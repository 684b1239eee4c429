"""The import template in a real browser (issue 14, defect 5 and build 4): Chromium saves it
under its Chinese name; uploaded unchanged it imports nothing; its example row is skipped and
the customer typed below it, with Chinese dropdown labels, is imported."""

from io import BytesIO
from pathlib import Path

import pytest
from django.utils.translation import pgettext
from openpyxl import load_workbook

from tests.browser.helpers import log_in
from tests.threads import in_thread

pytestmark = pytest.mark.browser


def test_salesperson_imports_below_the_example_row_on_a_phone(page, demo, shot, tmp_path):
    from customers import excel
    from customers.models import Customer

    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, demo, "east.sales1")
    page.goto(f"{demo}/customers/import/")
    with page.expect_download() as download:
        page.click("a[href='/customers/import/template.xlsx']")
    name = pgettext("file name", "customer-import-template.xlsx")
    assert download.value.suggested_filename == name
    content = Path(download.value.path()).read_bytes()

    unchanged = tmp_path / name
    unchanged.write_bytes(content)
    page.set_input_files("#id_file", str(unchanged))
    page.click("button[type=submit].primary")
    assert page.locator("[data-testid=file-error]").is_visible()
    shot(page, "import-unchanged-template-phone")
    before = in_thread(Customer.objects.count)
    assert not in_thread(Customer.objects.filter(name__contains="示例").exists)

    wb = load_workbook(BytesIO(content))
    keys = excel.import_keys()
    values = {"name": "杭州西湖茶业有限公司", "phone": "0571-8765 4321", "source": "朋友介绍"}
    values |= {"customer_class": "重要客户", "nature": "经销商", "is_organisation": "是"}
    wb.active.append([values.get(key) for key in keys])
    filled = tmp_path / "filled.xlsx"
    wb.save(filled)
    page.set_input_files("#id_file", str(filled))
    page.click("button[type=submit].primary")
    result = page.locator("[data-testid=import-result]")
    assert "已导入 1 位客户" in result.inner_text()
    assert "【示例】" in page.locator("[data-testid=import-skipped]").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, "import-example-row-skipped-phone")
    assert in_thread(Customer.objects.count) == before + 1
    imported = in_thread(
        lambda: Customer.objects.values_list("source", "customer_class", "nature").get(
            name=values["name"]
        )
    )
    assert imported == ("friend", "important", "distributor")
