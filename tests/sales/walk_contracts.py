"""URL × role walk and junk-input fuzz rows for sales' contracts pages.

- WALK: url name → dict(codes=…, kwargs=<key of WALK_KWARGS or "">, query="", nav=False)
  (codes: one status per role of tests/crm/test_url_walk.ROLES; see tests/sales/codes.py)
- WALK_KWARGS: key → (world) -> URL kwargs; build_walk(w) adds this area's objects to the
  url-walk world (a SimpleNamespace with w.org, w.customer held by sales_a in department A).
- FUZZ: url name → dict(kwargs=(world dict) -> URL kwargs, post=(field names) or None,
  sweep_as="gm"|"salesperson"|…); build_fuzz(org, world) adds ids to the fuzz world dict
  (world["customer"] is held by org.sales_a; see tests/test_fuzz._world).
"""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from tests.sales.codes import *  # noqa: F403

SH = ZoneInfo("Asia/Shanghai")
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _formset(prefix: str, fields: tuple[str, ...], rows: int = 8) -> tuple[str, ...]:
    management = tuple(
        f"{prefix}-{k}" for k in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS")
    )
    return management + tuple(f"{prefix}-{n}-{f}" for n in range(rows) for f in fields)


CONTRACT_FIELDS = (
    "number",
    "title",
    "settlement_method",
    "notes",
    *_formset("lines", ("product", "quantity", "unit_price")),
    *_formset("instalments", ("due_on", "amount")),
)

WALK: dict = {
    "sales:contract_list": {"codes": EVERYONE, "nav": True},  # noqa: F405
    # Who enters purchase records for the customer: its holder, A's manager and accountant, GM.
    "sales:contract_new": {"codes": A_SEEN, "kwargs": "contract_customer"},  # noqa: F405
    "sales:contract_detail": {"codes": A_SEEN, "kwargs": "contract"},  # noqa: F405
    "sales:contract_edit": {"codes": OWNER_ONLY, "kwargs": "draft_contract"},  # noqa: F405
    "sales:contract_sign": {"codes": POST_ONLY, "kwargs": "draft_contract"},  # noqa: F405
    "sales:contract_amend": {"codes": A_SEEN, "kwargs": "contract"},  # noqa: F405
    "sales:contract_attachment_upload": {"codes": POST_ONLY, "kwargs": "contract"},  # noqa: F405
    "sales:contract_attachment": {"codes": A_SEEN, "kwargs": "attachment"},  # noqa: F405
    # Collections are finance's: A's accountant, A's manager, the GM.
    "sales:collection_new": {"codes": A_READERS, "kwargs": "instalment"},  # noqa: F405
    "sales:collection_reverse": {"codes": A_READERS, "kwargs": "collection"},  # noqa: F405
    "sales:return_new": {"codes": A_SEEN, "kwargs": "contract_customer"},  # noqa: F405
}
WALK_KWARGS: dict = {
    "contract_customer": lambda w: {"customer_pk": w.customer.pk},
    "contract": lambda w: {"pk": w.contract.pk},
    "draft_contract": lambda w: {"pk": w.draft_contract.pk},
    "attachment": lambda w: {"pk": w.contract.pk, "attachment_pk": w.attachment.pk},
    "instalment": lambda w: {"pk": w.instalment.pk},
    "collection": lambda w: {"pk": w.collection.pk},
}
FUZZ: dict = {
    "sales:contract_list": {},
    "sales:contract_new": {
        "kwargs": lambda w: {"customer_pk": w["customer"]},
        "post": (*CONTRACT_FIELDS, "opportunity"),
        "sweep_as": "salesperson",
    },
    "sales:contract_detail": {"kwargs": lambda w: {"pk": w["contract"]}},
    "sales:contract_edit": {
        "kwargs": lambda w: {"pk": w["draft_contract"]},
        "post": CONTRACT_FIELDS,
        "sweep_as": "salesperson",
    },
    "sales:contract_sign": {
        "kwargs": lambda w: {"pk": w["draft_contract"]},
        "post": ("signed_at",),
        "sweep_as": "salesperson",
    },
    "sales:contract_amend": {
        "kwargs": lambda w: {"pk": w["contract"]},
        "post": CONTRACT_FIELDS,
        "sweep_as": "salesperson",
    },
    "sales:contract_attachment_upload": {
        "kwargs": lambda w: {"pk": w["contract"]},
        "post": ("file",),
        "sweep_as": "salesperson",
    },
    "sales:contract_attachment": {
        "kwargs": lambda w: {"pk": w["contract"], "attachment_pk": w["attachment"]}
    },
    "sales:collection_new": {
        "kwargs": lambda w: {"pk": w["instalment"]},
        "post": ("amount", "received_on", "method", "note"),
        "sweep_as": "accountant",
    },
    "sales:collection_reverse": {
        "kwargs": lambda w: {"pk": w["collection"]},
        "post": ("reason",),
        "sweep_as": "accountant",
    },
    "sales:return_new": {
        "kwargs": lambda w: {"customer_pk": w["customer"]},
        "post": ("original", "kind", "occurred_at", "quantity", "amount", "reason"),
        "sweep_as": "salesperson",
    },
}


def _build(org, customer, at: datetime) -> dict:
    """A signed contract (two instalments, one collection, a scanned PDF) and a draft."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from sales.services.contracts import (
        collection_record,
        contract_attachment_add,
        contract_create,
        contract_sign,
    )

    lines = [{"product": "走查实木地板", "quantity": Decimal("10"), "unit_price": Decimal("386")}]
    plan = [
        {"due_on": at.date() + timedelta(days=10), "amount": Decimal("1860")},
        {"due_on": at.date() + timedelta(days=40), "amount": Decimal("2000")},
    ]
    data = {"title": "走查合同", "settlement_method": "rolling", "notes": ""}
    contract = contract_create(
        actor=org.sales_a, customer=customer, data=data, lines=lines, instalments=plan, now=at
    )
    contract = contract_sign(actor=org.sales_a, contract=contract, signed_at=at, now=at)
    instalment = contract.instalments.get(seq=1)
    collection = collection_record(
        actor=org.accountant_a,
        instalment=instalment,
        amount=Decimal("500"),
        received_on=at.date(),
        now=at,
    )
    attachment = contract_attachment_add(
        actor=org.sales_a,
        contract=contract,
        upload=SimpleUploadedFile("scan.pdf", PDF, content_type="application/pdf"),
        now=at,
    )
    draft = contract_create(
        actor=org.sales_a, customer=customer, data=data, lines=lines, instalments=plan, now=at
    )
    return {
        "contract": contract,
        "draft_contract": draft,
        "instalment": instalment,
        "collection": collection,
        "attachment": attachment,
    }


def build_walk(w) -> None:
    built = _build(w.org, w.customer, datetime(2026, 4, 1, 13, 0, tzinfo=SH))
    for key, value in built.items():
        setattr(w, key, value)


def build_fuzz(org, world: dict) -> None:
    from customers.models import Customer

    customer = Customer.objects.get(pk=world["customer"])
    built = _build(org, customer, datetime(2026, 3, 2, 10, 0, tzinfo=SH))
    world.update({key: value.pk for key, value in built.items()})
