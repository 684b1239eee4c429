"""The rules of the duplicate and fake records report (002 §5.2.2), as database expressions.

Every normalisation is NFKC (full-width → half-width, as `customers.normalize.half_width`)
followed by deleting a set of characters: PostgreSQL's NORMALIZE and REGEXP_REPLACE, which
SQLite receives as Python functions (`sqlite_functions`). The Python twins below use the very
same steps, so what the page explains about a row is what the database grouped it by. Regular
expressions stay in the subset PostgreSQL's `~` and Python's `re` (SQLite's REGEXP) read alike:
no `\\d`, no back-references.

The looser keys here deliberately go beyond `customers.normalize` (which feeds the UNIQUE keys
at registration): the report must find what slipped past those keys.

Cost, measured on PostgreSQL over a million names: TRANSLATE with a long table took 15 s,
NORMALIZE (skipped when the text IS NFKC NORMALIZED already) plus REGEXP_REPLACE under 1 s.
"""

import re
import string
import unicodedata
from functools import reduce

from django.db.models import CharField, F, Func, Value
from django.db.models.expressions import Case, When
from django.db.models.functions import Length, Lower, Replace, StrIndex, Substr, Upper
from django.db.models.lookups import Contains, Exact, Regex, StartsWith

# --- normalising ----------------------------------------------------------------------------

WHITESPACE = " \t\r\n\u00a0\u3000"
# After NFKC the full-width forms are plain; these CJK marks have no plain form.
CJK_PUNCTUATION = "，。、；：？！“”‘’【】《》〈〉「」『』〔〕…—–·～￥•"


def _chars(chars: str) -> str:
    """A bracket expression of `chars` that PostgreSQL and Python read alike."""
    return "[" + "".join("\\" + c if c in "\\[]^-" else c for c in chars) + "]"


PHONE_SEPARATORS = _chars(WHITESPACE + "-–—().·/")
TAX_ID_SEPARATORS = _chars(WHITESPACE + "-–—")
POSTCODE_SEPARATORS = _chars(WHITESPACE)
# Names and addresses compare without spaces or punctuation of either width.
TEXT_SEPARATORS = _chars(WHITESPACE + string.punctuation + CJK_PUNCTUATION)

# Company-type words a salesperson may or may not type (longest first: 股份有限公司 before 公司).
COMPANY_SUFFIXES = ["股份有限公司", "有限责任公司", "有限公司", "分公司", "总公司", "公司", "集团"]


class Nfkc(Func):
    """Unicode NFKC: ＡＢＣ１２３（） → ABC123(), the ideographic space → a space."""

    function = "NFKC"  # SQLite: see sqlite_functions
    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra_context):
        # Most text is already normalised; the check is far cheaper than NORMALIZE itself.
        sql, params = compiler.compile(self.source_expressions[0])
        return (
            f"(CASE WHEN {sql} IS NFKC NORMALIZED THEN {sql} ELSE NORMALIZE({sql}, NFKC) END)",
            [*params, *params, *params],
        )


class Delete(Func):
    """Remove every character matching the bracket expression `chars`."""

    function = "REGEXP_REPLACE"  # SQLite: see sqlite_functions
    output_field = CharField()

    def __init__(self, expression, chars: str, **extra):
        super().__init__(expression, Value(chars), Value(""), Value("g"), **extra)


def _sqlite_nfkc(text):
    return None if text is None else unicodedata.normalize("NFKC", text)


def _sqlite_regexp_replace(text, pattern, replacement, flags):
    if text is None or pattern is None:
        return None
    return re.sub(pattern, replacement, text, count=0 if "g" in (flags or "") else 1)


def sqlite_functions(sender, connection, **kwargs) -> None:
    """`connection_created` receiver: give SQLite PostgreSQL's NFKC normalising and
    REGEXP_REPLACE, so the report runs the same SQL on both."""
    if connection.vendor == "sqlite":
        create = connection.connection.create_function
        create("NFKC", 1, _sqlite_nfkc, deterministic=True)
        create("REGEXP_REPLACE", 4, _sqlite_regexp_replace, deterministic=True)


def _clean(field, chars: str) -> Delete:
    return Delete(Nfkc(_f(field)), chars)


def _clean_py(value: str, chars: str) -> str:
    return re.sub(chars, "", unicodedata.normalize("NFKC", value or ""))


# --- keys the duplicates are grouped by ---------------------------------------------------

PHONE_KEY = r"^[0-9]{7,12}$"  # what `normalize_phone` accepts
TAX_ID_KEY = r"^[0-9A-Z]{15,20}$"  # what `normalize_tax_id` accepts
NAME_KEY_MIN = 2  # shorter cores (一个字, or nothing but 有限公司) are fake data, not duplicates
NAME_KEY = f"^.{{{NAME_KEY_MIN},}}$"


def phone_digits(field) -> Case:
    """'+86 138-1234-5678' → '13812345678', '（０２１）６２３４ ５６７８' → '02162345678'."""
    text = _clean(field, PHONE_SEPARATORS)
    return Case(
        # Most numbers have no 86 at all: one cheap LIKE on the column spares the prefix tests.
        When(~Contains(_f(field), "86") & ~Contains(_f(field), "８６"), then=text),
        When(StartsWith(text, "+86"), then=Substr(text, 4)),
        When(StartsWith(text, "0086"), then=Substr(text, 5)),
        When(Exact(Length(text), 13) & StartsWith(text, "861"), then=Substr(text, 3)),
        default=text,
        output_field=CharField(),
    )


def phone_digits_py(value: str) -> str:
    text = _clean_py(value, PHONE_SEPARATORS)
    if text.startswith("+86"):
        return text[3:]
    if text.startswith("0086"):
        return text[4:]
    if len(text) == 13 and text.startswith("861"):
        return text[2:]
    return text


def tax_id_clean(field) -> Upper:
    return Upper(_clean(field, TAX_ID_SEPARATORS))


def tax_id_clean_py(value: str) -> str:
    return _clean_py(value, TAX_ID_SEPARATORS).upper()


def name_core(field):
    """The looser name key: no spaces or punctuation of either width, Latin letters folded to
    lower case, company-type words removed: '上海华东（集团）有限公司' → '上海华东'."""
    text = text_clean(field)
    return reduce(lambda expr, word: Replace(expr, Value(word), Value("")), COMPANY_SUFFIXES, text)


def name_core_py(value: str) -> str:
    text = text_clean_py(value)
    for word in COMPANY_SUFFIXES:
        text = text.replace(word, "")
    return text


def text_clean(field) -> Lower:
    return Lower(_clean(field, TEXT_SEPARATORS))


def text_clean_py(value: str) -> str:
    return _clean_py(value, TEXT_SEPARATORS).lower()


def _f(field):
    return F(field) if isinstance(field, str) else field


# --- fake data ------------------------------------------------------------------------------
#
# The database only answers "is anything wrong with this field?", with one regular expression
# over the value normalised once (an SQL expression is computed again wherever it is named);
# the Python twins then say what, for the rows on the page. Each `*_OK` pattern is exactly
# the set of values its `*_problem` function finds nothing wrong with; the tests hold both
# to the same cases on SQLite and PostgreSQL.


def _any(*alternatives: str) -> str:
    """(?:a|b|c). Never a capturing group: PostgreSQL's engine is an order of magnitude
    slower with them (10 s against 0.6 s over a million names)."""
    return "(?:" + "|".join(alternatives) + ")"


# A Chinese mobile (1[3-9] + 9 digits), a landline with area code (0 + 9–11 digits), a local
# landline (7–8 digits, not starting 0/1), a 400/800 service number.
_CHINESE_PHONE = _any("1[3-9][0-9]{9}", "0[1-9][0-9]{8,10}", "[2-9][0-9]{6,7}", "[48]00[0-9]{7}")
# Seven identical digits in a row (13800000000, 66666666), or seven consecutive ones up or
# down (12345678901, 13987654321).
_ASCENDING = "01234567890"
REPEATED_DIGITS = _any(*(digit * 7 for digit in string.digits))
SEQUENTIAL_DIGITS = _any(
    *sorted(
        {_ASCENDING[i : i + 7] for i in range(5)} | {_ASCENDING[::-1][i : i + 7] for i in range(5)}
    )
)
# The prefixes `phone_digits` strips, then a plausible number without a placeholder run.
PHONE_OK = (
    "^" + _any(r"\+86", "0086", "86(?=1[0-9]{10}$)") + "?"
    f"(?![0-9]*{_any(REPEATED_DIGITS, SEQUENTIAL_DIGITS)})"
    f"{_CHINESE_PHONE}$"
)

# Whole names made of nothing but placeholder words and digits: 测试, test, xxx, 无, 未知, 客户1.
_PLACEHOLDER_WORDS = [
    "测试", "試驗", "试验", "test", "demo", "temp", "x+", "无", "没有", "未知", "不详", "不祥",
    "暂无", "待定", "待补充", "客户", "某+", "abc", "aa+", "asdf", "qwe", "[0-9]",
]  # fmt: skip
_PLACEHOLDER_NAME = _any(*_PLACEHOLDER_WORDS) + "+"
_PLACEHOLDER_ADDRESS = _any(*_PLACEHOLDER_WORDS, "同上", "地址", "详细地址") + "+"
PLACEHOLDER_NAME = f"^{_PLACEHOLDER_NAME}$"
PLACEHOLDER_ADDRESS = f"^{_PLACEHOLDER_ADDRESS}$"
ADDRESS_MIN = 6  # characters once spaces and punctuation are gone: 北京市朝阳区 is the least
NAME_SUSPECT = "^" + _any(f".{{0,{NAME_KEY_MIN - 1}}}", _PLACEHOLDER_NAME) + "$"
ADDRESS_SUSPECT = "^" + _any(f".{{0,{ADDRESS_MIN - 1}}}", _PLACEHOLDER_ADDRESS) + "$"

POSTCODE_REPEATED = _any(*(digit * 6 for digit in string.digits))
POSTCODE_OK = f"^(?!{POSTCODE_REPEATED}$)[0-9]{{6}}$"

# 统一社会信用代码 (GB 32100-2015): 18 characters from 31 symbols (no I, O, S, V, Z);
# positions 3–8 are the administrative division; the 18th is a check character.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
_USCC_SYMBOL = "[0-9A-HJ-NP-RTUW-Y]"
_USCC_SHAPE = f"{_USCC_SYMBOL}{{2}}[0-9]{{6}}{_USCC_SYMBOL}{{10}}"
USCC_FORMAT = f"^{_USCC_SHAPE}$"
TAX_ID_REPEATED = _any(*(f"{c}+" for c in string.digits + string.ascii_uppercase))
# The old 15-character 税号, the USCC's shape, an individual's 20 characters; never one
# character repeated. The USCC's check character is tested apart (`tax_id_suspect`).
TAX_ID_OK = f"^(?!{TAX_ID_REPEATED}$)" + _any("[0-9A-Z]{15}", _USCC_SHAPE, "[0-9A-Z]{20}") + "$"
_PLAIN_USCC = "^[0-9A-Z]{18}$"


class Problem:
    """What is wrong with a value ('' = nothing); `report` words them."""

    INVALID = "invalid"
    REPEATED = "repeated"
    SEQUENCE = "sequence"
    PLACEHOLDER = "placeholder"
    SHORT = "short"
    CHARS = "chars"
    LENGTH = "length"
    FORMAT = "format"
    CHECKSUM = "checksum"


def uscc_check_char(first17: str) -> str:
    """The 18th character of a unified social credit code whose first 17 are `first17`:
    each symbol is worth its position in the alphabet, weighted, summed modulo 31."""
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def _uscc_check_ok(text):
    """The same sum in SQL; `text` should be a column, not an expression (it is named 18
    times)."""
    total = sum(
        (StrIndex(Value(USCC_ALPHABET), Substr(text, i + 1, 1)) - 1) * weight
        for i, weight in enumerate(USCC_WEIGHTS)
    )
    position = (Value(31) - total % 31) % 31 + 1
    return Exact(Substr(text, 18, 1), Substr(Value(USCC_ALPHABET), position, 1))


# --- the database side: one condition per field ------------------------------------------------


def _filled(field):
    return ~Exact(_f(field), "")


def phone_suspect(field):
    """A phone, fax or mobile that no Chinese number looks like, or a placeholder run."""
    return _filled(field) & ~Regex(_clean(field, PHONE_SEPARATORS), PHONE_OK)


def name_suspect(field):
    return _filled(field) & Regex(name_core(field), NAME_SUSPECT)


def address_suspect(field):
    return _filled(field) & Regex(text_clean(field), ADDRESS_SUSPECT)


def postcode_suspect(field):
    return _filled(field) & ~Regex(_clean(field, POSTCODE_SEPARATORS), POSTCODE_OK)


def tax_id_suspect(field):
    """Wrong shape, or a USCC whose check character does not add up. The sum reads the column
    itself when it is already clean (nearly always), the normalised value otherwise."""
    raw, text = _f(field), tax_id_clean(field)
    plain = Regex(raw, _PLAIN_USCC)
    return _filled(field) & (
        ~Regex(text, TAX_ID_OK)
        | (plain & ~_uscc_check_ok(raw))
        | (~plain & Exact(Length(text), 18) & ~_uscc_check_ok(text))
    )


# --- the Python side: what is wrong --------------------------------------------------------


def phone_problem(value: str) -> str:
    if not value:
        return ""
    digits = phone_digits_py(value)
    if re.search(REPEATED_DIGITS, digits):
        return Problem.REPEATED
    if re.search(SEQUENTIAL_DIGITS, digits):
        return Problem.SEQUENCE
    if not re.fullmatch(_CHINESE_PHONE, digits):
        return Problem.INVALID
    return ""


def name_problem(value: str) -> str:
    if not value:
        return ""
    core = name_core_py(value)
    if len(core) < NAME_KEY_MIN:
        return Problem.SHORT
    if re.match(PLACEHOLDER_NAME, core):
        return Problem.PLACEHOLDER
    return ""


def address_problem(value: str) -> str:
    if not value:
        return ""
    text = text_clean_py(value)
    if re.match(PLACEHOLDER_ADDRESS, text):
        return Problem.PLACEHOLDER
    if len(text) < ADDRESS_MIN:
        return Problem.SHORT
    return ""


def postcode_problem(value: str) -> str:
    if not value:
        return ""
    text = _clean_py(value, POSTCODE_SEPARATORS)
    if not re.fullmatch("[0-9]{6}", text):
        return Problem.INVALID
    if re.fullmatch(POSTCODE_REPEATED, text):
        return Problem.REPEATED
    return ""


def tax_id_problem(value: str) -> str:
    if not value:
        return ""
    text = tax_id_clean_py(value)
    if not re.fullmatch("[0-9A-Z]+", text):
        return Problem.CHARS
    if len(text) not in (15, 18, 20):
        return Problem.LENGTH
    if re.fullmatch(TAX_ID_REPEATED, text):
        return Problem.REPEATED
    if len(text) == 18 and not re.match(USCC_FORMAT, text):
        return Problem.FORMAT
    if len(text) == 18 and uscc_check_char(text[:17]) != text[17]:
        return Problem.CHECKSUM
    return ""
