"""Every normalisation of the duplicate keys (SPEC §3)."""

import pytest

from customers.normalize import (
    KeyFormatError,
    mask_phone,
    normalize_org_name,
    normalize_phone,
    normalize_tax_id,
)


@pytest.mark.parametrize(
    "raw",
    [
        "13812345678",
        "138 1234 5678",
        "138-1234-5678",
        "+86 138 1234 5678",
        "+8613812345678",
        "0086-138-1234-5678",
        "8613812345678",
        "１３８１２３４５６７８",  # full-width digits
        "（138）1234－5678",
        " 138.1234.5678 ",
    ],
)
def test_mobile_numbers_normalise_to_eleven_digits(raw):
    assert normalize_phone(raw) == "13812345678"


def test_landline_keeps_its_area_code():
    assert normalize_phone("(021) 6234-5678") == "02162345678"
    assert normalize_phone("021－６２３４５６７８") == "02162345678"


@pytest.mark.parametrize("raw", ["", "abc", "123", "1381234567890123", "138x1234x5678"])
def test_malformed_phone_is_refused(raw):
    with pytest.raises(KeyFormatError):
        normalize_phone(raw)


def test_tax_id_is_upper_case_without_separators():
    assert normalize_tax_id(" 91310000-mA1fl2345x ") == "91310000MA1FL2345X"
    assert normalize_tax_id("９１３１００００ＭＡ１ＦＬ２３４５Ｘ") == "91310000MA1FL2345X"


@pytest.mark.parametrize("raw", ["123", "税号不是数字123456789012", "91310000MA1FL2345X123456"])
def test_malformed_tax_id_is_refused(raw):
    with pytest.raises(KeyFormatError):
        normalize_tax_id(raw)


def test_organisation_names_compare_without_spaces_and_width():
    a = normalize_org_name("上海 华东（集团） 有限公司")
    b = normalize_org_name("上海华东(集团)有限公司")
    c = normalize_org_name("上海华东（集团）有限公司\u3000")
    assert a == b == c
    assert normalize_org_name("ＡＢＣ Trading") == normalize_org_name("abc trading")


def test_mask_phone():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("021-6234-5678") == "021****5678"
    assert mask_phone("") == ""
