"""Contracts (合同), amendments (补充协议), collections (回款), returns and exchanges (退换货) and
contract attachments (SPEC §10; 001 附录 1(3), 2(1)–(4)).

- A contract is a draft until signed; only its author edits the draft. Signing fixes the sales
  credit (SPEC §3: whoever held the customer at `signed_at`, read from the ownership events),
  writes the SalesCredit row every sales figure reads, and — a sale with a positive total — is a
  deal on its signed date for the no-deal clock (SPEC §6). A signed contract is never edited.
- An amendment is a contract of its own pointing at the signed original, with its own lines
  (negative quantities: less goods). A positive amendment carries its own instalments summing
  to its total and is credited like a new sale (the holder at its signing). A reduction carries
  no instalments: it is taken off the unpaid instalments of the original and its earlier
  amendments, the latest due first, each down to what was already paid (an instalment reduced
  to its paid amount is settled), and refused when larger than what is still unpaid — the
  receivables never go negative and nothing already collected is undone. Its (negative) credit
  goes to whoever got the original's, like a return.
- Collections are recorded by finance against an instalment, at most its outstanding amount;
  a mistake is reversed by a negative collection pointing at the original.
- A return reverses quantity and amount of a purchase record or a signed contract line (never
  edited), at most what is left after earlier returns, and debits the original's credit.
"""

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from constance import config
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.errors import RuleError
from crm.validators import happened_problem, planned_problem
from customers.credit_rules import allowed_settlements
from customers.errors import NotAllowed
from customers.models import Customer, Deal, Settlement
from customers.services.records import customer_lock, holder_at, sale_clocks_move

from ..credit_hooks import credit_department
from ..models import (
    Collection,
    Contract,
    ContractAttachment,
    ContractLine,
    Instalment,
    Opportunity,
    ReturnRecord,
    SalesCredit,
    Stage,
)
from ..rights import may_draft_contract, may_record_collection
from .summaries import month_figures_add, receivables_refresh

CENT = Decimal("0.01")
MAX_LINES = 50
MAX_INSTALMENTS = 24


class ContractError(RuleError):
    """The contract, collection or return is unacceptable as entered."""


# --- helpers ---------------------------------------------------------------------------------


def _check_may_draft(actor, customer) -> None:
    if not may_draft_contract(actor, customer):
        raise NotAllowed(
            _(
                "Only the holder, the department's managers and its accountants enter "
                "contracts and returns."
            )
        )


def _money(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def _clean_lines(lines: list[dict], *, amendment: bool) -> list[dict]:
    """product, quantity, unit price → amount = quantity × unit price (rounded to the fen)."""
    if not lines:
        raise ContractError(_("A contract needs at least one line."))
    if len(lines) > MAX_LINES:
        raise ContractError(_("At most %(n)d lines per contract.") % {"n": MAX_LINES})
    cleaned = []
    for line in lines:
        product = (line.get("product") or "").strip()
        quantity, price = line.get("quantity"), line.get("unit_price")
        if not product or quantity is None or price is None:
            raise ContractError(_("Each line needs a product, a quantity and a unit price."))
        quantity, price = Decimal(quantity), Decimal(price)
        if not quantity.is_finite() or not price.is_finite():
            raise ContractError(_("Each line needs a product, a quantity and a unit price."))
        if abs(quantity) > config.MAX_DEAL_QUANTITY:
            raise ContractError(
                _("A quantity may be at most %(max)s.") % {"max": config.MAX_DEAL_QUANTITY}
            )
        quantity = quantity.quantize(CENT, rounding=ROUND_HALF_UP)
        if quantity == 0 or (quantity < 0 and not amendment):
            raise ContractError(
                _("Quantities must be more than 0 (only an amendment may reduce a quantity).")
            )
        if price < 0:
            raise ContractError(_("A unit price cannot be negative."))
        if price > config.MAX_DEAL_AMOUNT:
            raise ContractError(
                _("A unit price may be at most %(max)s yuan.") % {"max": config.MAX_DEAL_AMOUNT}
            )
        amount = _money(quantity * price)
        if abs(amount) > config.MAX_DEAL_AMOUNT:
            raise ContractError(
                _("A line's amount may be at most %(max)s yuan.") % {"max": config.MAX_DEAL_AMOUNT}
            )
        cleaned.append(
            {
                "product": product,
                "quantity": quantity,
                "unit_price": _money(price),
                "amount": amount,
            }
        )
    return cleaned


def _clean_instalments(instalments: list[dict], *, total: Decimal, now: datetime) -> list[dict]:
    """The collection plan: positive amounts on sensible dates, summing exactly to the total.
    A reduction (negative total) or a zero total carries none."""
    if len(instalments) > MAX_INSTALMENTS:
        raise ContractError(_("At most %(n)d instalments.") % {"n": MAX_INSTALMENTS})
    if total <= 0:
        if instalments:
            raise ContractError(
                _(
                    "A contract or amendment that adds nothing to be paid has no collection "
                    "plan: remove the instalments."
                )
            )
        return []
    cleaned = []
    for item in instalments:
        due_on, amount = item.get("due_on"), item.get("amount")
        if due_on is None or amount is None:
            raise ContractError(_("Each instalment needs a due date and an amount."))
        problem = planned_problem(due_on, now=now)
        if problem:
            raise ContractError(problem)
        amount = Decimal(amount)
        if not amount.is_finite() or amount <= 0:
            raise ContractError(_("Each instalment's amount must be more than 0."))
        if amount > total:
            raise ContractError(_("An instalment cannot be more than the total."))
        cleaned.append({"due_on": due_on, "amount": _money(amount)})
    planned = sum((i["amount"] for i in cleaned), Decimal("0"))
    if planned != total:
        raise ContractError(
            _(
                "The instalments add up to %(planned)s yuan but the total is %(total)s yuan: "
                "the collection plan must cover the total exactly."
            )
            % {"planned": planned, "total": total}
        )
    return sorted(cleaned, key=lambda i: i["due_on"])


def _clean_data(data: dict, *, default_settlement: str = "") -> dict:
    settlement = data.get("settlement_method") or default_settlement
    if settlement not in Settlement.values:
        raise ContractError(_("Choose a settlement method."))
    return {
        "title": (data.get("title") or "").strip(),
        "settlement_method": settlement,
        "notes": (data.get("notes") or "").strip(),
    }


def _check_credit_policy(customer, settlement: str, total: Decimal) -> None:
    """The grade policy (SPEC §11, 003 三): a customer's credit grade limits the settlement
    methods of its contracts (default D → 现款现货 only); a customer not yet evaluated may sign
    any. A reduction (total ≤ 0) extends no credit and is never refused for it."""
    if total <= 0:
        return
    allowed = allowed_settlements(customer)
    if settlement not in allowed:
        labels = dict(Settlement.choices)
        raise ContractError(
            _(
                "This customer's credit grade is %(grade)s, which allows only: %(allowed)s. "
                "Choose one of those settlement methods."
            )
            % {
                "grade": customer.credit_rating,
                "allowed": "、".join(str(labels[m]) for m in allowed) or "—",
            }
        )


def _root(contract: Contract) -> Contract:
    return contract.amends if contract.amends_id else contract


def family_unpaid(root: Contract) -> Decimal:
    """What is still owed on the original and its signed amendments."""
    owed = Instalment.objects.filter(
        contract__in=Contract.objects.filter(pk=root.pk)
        | Contract.objects.filter(amends=root, status=Contract.Status.SIGNED)
    ).aggregate(amount=Sum("amount"), paid=Sum("paid"))
    return (owed["amount"] or Decimal("0")) - (owed["paid"] or Decimal("0"))


def _check_reduction(root: Contract, total: Decimal) -> None:
    unpaid = _money(family_unpaid(root)) if total < 0 else None
    if unpaid is not None and -total > unpaid:
        raise ContractError(
            _(
                "This amendment takes off %(reduction)s yuan but only %(unpaid)s yuan of the "
                "contract is still unpaid: a larger reduction is a refund, not an amendment."
            )
            % {"reduction": -total, "unpaid": unpaid}
        )


def _next_number(now: datetime) -> str:
    """HT202604-00012: the month and the next free sequence number of that month."""
    prefix = f"HT{timezone.localtime(now):%Y%m}-"
    taken = Contract.objects.filter(number__startswith=prefix).values_list("number", flat=True)
    last = max(
        (int(n[len(prefix) :]) for n in taken if n[len(prefix) :].isdigit()),
        default=0,
    )
    return f"{prefix}{last + 1:05d}"


def _amendment_number(root: Contract) -> str:
    """HT202604-00012-BC1, -BC2, …: the original's number and the amendment's place."""
    return f"{root.number}-BC{root.amendments.count() + 1}"


def _save_new(contract: Contract, *, typed: str, make_number) -> None:
    """Insert with a unique number. A typed number already used is refused; a generated one
    that a concurrent insert just took is generated again (the unique key decides)."""
    for _attempt in range(5):
        contract.number = typed or make_number()
        try:
            with transaction.atomic():
                contract.save()
            return
        except IntegrityError:
            if typed:
                raise ContractError(
                    _("The contract number %(number)s is already used.") % {"number": typed}
                ) from None
    raise ContractError(_("Could not number the contract: try again."))


def _write_parts(contract: Contract, lines: list[dict], instalments: list[dict]) -> None:
    ContractLine.objects.bulk_create(ContractLine(contract=contract, **line) for line in lines)
    Instalment.objects.bulk_create(
        Instalment(contract=contract, customer_id=contract.customer_id, seq=n, **item)
        for n, item in enumerate(instalments, start=1)
    )


# --- contracts -------------------------------------------------------------------------------


@transaction.atomic
def contract_create(
    *,
    actor,
    customer,
    data: dict,
    lines: list[dict],
    instalments: list[dict],
    now: datetime,
    opportunity=None,
    amends=None,
) -> Contract:
    """A draft contract (or, with `amends`, a draft amendment of that signed contract). The
    number is generated when left blank; lines' amounts are quantity × unit price and the total
    their sum; the instalments must add up to the total exactly."""
    customer = customer_lock(customer)
    _check_may_draft(actor, customer)
    root = None
    if amends is not None:
        root = _root(Contract.objects.select_for_update().get(pk=amends.pk))
        if root.customer_id != customer.pk or not root.is_signed:
            raise ContractError(_("Only a signed contract of this customer can be amended."))
        opportunity = None
    if opportunity is not None:
        opportunity = Opportunity.objects.get(pk=opportunity.pk)
        if opportunity.customer_id != customer.pk or opportunity.stage != Stage.WON:
            raise ContractError(
                _("A contract follows a won opportunity of the same customer only.")
            )
    fields = _clean_data(data, default_settlement=root.settlement_method if root else "")
    cleaned = _clean_lines(lines, amendment=root is not None)
    total = sum((line["amount"] for line in cleaned), Decimal("0"))
    plan = _clean_instalments(instalments, total=total, now=now)
    if root is not None:
        _check_reduction(root, total)
    _check_credit_policy(customer, fields["settlement_method"], total)
    typed = (data.get("number") or "").strip()
    contract = Contract(
        customer=customer,
        opportunity=opportunity,
        amends=root,
        total=total,
        created_by=actor,
        created_at=now,
        **fields,
    )
    contract._history_user, contract._history_date = actor, now
    _save_new(
        contract,
        typed=typed,
        make_number=(lambda: _amendment_number(root)) if root else (lambda: _next_number(now)),
    )
    _write_parts(contract, cleaned, plan)
    return contract


def _lock_draft(actor, contract: Contract) -> tuple[Customer, Contract]:
    customer = customer_lock(contract.customer)
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    _check_may_draft(actor, customer)
    if contract.is_signed:
        raise ContractError(
            _("A signed contract is never changed: record an amendment (补充协议) instead.")
        )
    return customer, contract


@transaction.atomic
def contract_update(
    *, actor, contract: Contract, data: dict, lines: list[dict], instalments: list[dict], now
) -> Contract:
    """Change a draft: its fields, lines and plan are replaced as a whole. Only its author
    changes it (002 §5.2: nobody edits what another person entered)."""
    customer, contract = _lock_draft(actor, contract)
    if contract.created_by_id != actor.pk:
        raise NotAllowed(_("Only the person who drafted this contract may change it."))
    root = contract.amends
    fields = _clean_data(data, default_settlement=contract.settlement_method)
    cleaned = _clean_lines(lines, amendment=root is not None)
    total = sum((line["amount"] for line in cleaned), Decimal("0"))
    plan = _clean_instalments(instalments, total=total, now=now)
    if root is not None:
        _check_reduction(root, total)
    _check_credit_policy(customer, fields["settlement_method"], total)
    typed = (data.get("number") or "").strip()
    if typed and typed != contract.number:
        if Contract.objects.filter(number=typed).exists():
            raise ContractError(
                _("The contract number %(number)s is already used.") % {"number": typed}
            )
        contract.number = typed
    for name, value in fields.items():
        setattr(contract, name, value)
    contract.total = total
    contract._history_user, contract._history_date = actor, now
    contract.save()
    contract.lines.all().delete()
    contract.instalments.all().delete()
    _write_parts(contract, cleaned, plan)
    return contract


def _take_off_plan(root: Contract, reduction: Decimal, *, on) -> list[tuple]:
    """A reduction comes off the unpaid instalments of the contract and its signed
    amendments, the latest due first, each down to what was paid on it (then it is settled).
    Checked on the locked rows: a collection recorded meanwhile is counted. Returns the
    cuts: (customer id, due day, amount taken off)."""
    family = Contract.objects.filter(pk=root.pk) | Contract.objects.filter(
        amends=root, status=Contract.Status.SIGNED
    )
    open_rows = list(
        Instalment.objects.select_for_update()
        .filter(contract__in=family, settled_on__isnull=True)
        .order_by("-due_on", "-contract_id", "-seq")
    )
    _check_reduction(root, -reduction)
    left = reduction
    cuts = []
    for instalment in open_rows:
        if left <= 0:
            break
        cut = min(left, instalment.amount - instalment.paid)
        if cut <= 0:
            continue
        instalment.amount -= cut
        if instalment.amount == instalment.paid:
            instalment.settled_on = on
        instalment.save(update_fields=["amount", "settled_on"])
        cuts.append((instalment.customer_id, instalment.due_on, cut))
        left -= cut
    if left > 0:  # _check_reduction ran on the locked rows just before: never reached
        raise ContractError(_("The reduction is larger than what is still unpaid."))
    return cuts


_CONTRACT_SIGNED_HOOKS: list = []


def register_contract_signed_hook(hook) -> None:
    """`hook(contract=Contract, now=datetime)`, called after a contract is signed, in its
    transaction (a higher app's follow-on work, e.g. service's 售后 revisits)."""
    if hook not in _CONTRACT_SIGNED_HOOKS:
        _CONTRACT_SIGNED_HOOKS.append(hook)


@transaction.atomic
def contract_sign(*, actor, contract: Contract, signed_at: datetime, now: datetime) -> Contract:
    """Sign a draft (SPEC §10): from now on it is never changed. The sale is credited to whoever
    held the customer at `signed_at` (SPEC §3; nobody when it sat in a pool) — a reduction
    amendment debits whoever got the original's credit — and a positive total is a deal on
    that date for the no-deal clock (SPEC §6)."""
    customer, contract = _lock_draft(actor, contract)
    problem = happened_problem(signed_at, now=now)
    if problem:
        raise ContractError(problem)
    _check_credit_policy(customer, contract.settlement_method, contract.total)
    root = None
    if contract.amends_id:
        root = Contract.objects.select_for_update().get(pk=contract.amends_id)
        if signed_at < root.signed_at:
            raise ContractError(_("An amendment cannot be signed before the contract it amends."))
    if root is not None and contract.total < 0:
        credited_to = root.credited_to_id
    else:
        credited_to = holder_at(customer.pk, signed_at)
    contract.status = Contract.Status.SIGNED
    contract.signed_at = signed_at
    contract.credited_to_id = credited_to
    contract.signed_by, contract.entered_at = actor, now
    contract._history_user, contract._history_date = actor, now
    contract.save()
    # The plan now owes (the receivables read `signed` on the instalments alone).
    contract.instalments.update(signed=True)
    cuts = []
    if root is not None and contract.total < 0:
        cuts = _take_off_plan(root, -contract.total, on=timezone.localtime(signed_at).date())
    receivables_refresh([customer.pk])  # what is owed changed: the ageing snapshot follows
    # … and sales by month's figures: the plan's instalments, less the cuts.
    owed: dict = {}
    for customer_id, due_on, amount in [
        *contract.instalments.values_list("customer_id", "due_on", "amount"),
        *((customer_id, due_on, -cut) for customer_id, due_on, cut in cuts),
    ]:
        owed.setdefault(customer_id, []).append((due_on, amount))
    for customer_id, rows in sorted(owed.items()):
        month_figures_add(customer_id, owed=rows)
    quantity = contract.lines.aggregate(q=Sum("quantity"))["q"] or Decimal("0")
    SalesCredit.objects.create(
        kind=SalesCredit.Kind.CONTRACT,
        user_id=credited_to,
        department_id=credit_department(credited_to, customer),
        customer_id=customer.pk,
        on_date=timezone.localtime(signed_at).date(),
        amount=contract.total,
        quantity=quantity,
        contract=contract,
        created_at=now,
    )
    if contract.total > 0:
        sale_clocks_move(customer=customer, occurred_at=signed_at)
    for hook in _CONTRACT_SIGNED_HOOKS:
        hook(contract=contract, now=now)
    return contract


# --- collections -----------------------------------------------------------------------------


def _check_may_collect(actor, customer) -> None:
    if not may_record_collection(actor, customer):
        raise NotAllowed(
            _("Collections are recorded by the department's accountants or its managers.")
        )


@transaction.atomic
def collection_record(
    *,
    actor,
    instalment: Instalment,
    amount,
    received_on,
    now: datetime,
    method: str = "",
    note: str = "",
) -> Collection:
    """回款 against one instalment of a signed contract: more than 0 and at most what is still
    outstanding on it; the date it was received is not in the future. The instalment's `paid`
    moves on the locked row, so two collections never both take the last yuan."""
    instalment = (
        Instalment.objects.select_for_update().select_related("contract").get(pk=instalment.pk)
    )
    customer = Customer.objects.get(pk=instalment.customer_id)
    _check_may_collect(actor, customer)
    if not instalment.contract.is_signed:
        raise ContractError(_("Collections are recorded against signed contracts only."))
    problem = happened_problem(received_on, now=now)
    if problem:
        raise ContractError(problem)
    amount = Decimal(amount) if amount is not None else Decimal("0")
    if not amount.is_finite() or amount <= 0:
        raise ContractError(_("The amount received must be more than 0."))
    amount = _money(amount)
    if amount > instalment.outstanding:
        raise ContractError(
            _("At most %(outstanding)s yuan is outstanding on this instalment.")
            % {"outstanding": instalment.outstanding}
        )
    collection = Collection.objects.create(
        instalment=instalment,
        contract_id=instalment.contract_id,
        customer_id=instalment.customer_id,
        amount=amount,
        received_on=received_on,
        method=(method or "").strip(),
        note=(note or "").strip(),
        recorded_by=actor,
        recorded_at=now,
    )
    instalment.paid += amount
    if instalment.paid == instalment.amount:
        instalment.settled_on = received_on
    instalment.save(update_fields=["paid", "settled_on"])
    receivables_refresh([instalment.customer_id])
    month_figures_add(
        collection.customer_id,
        received=[(received_on, amount)],
        owed=[(max(received_on, instalment.due_on), -amount)],
    )
    return collection


@transaction.atomic
def collection_reverse(*, actor, collection: Collection, reason: str, now: datetime) -> Collection:
    """Undo a mistaken collection: a negative collection pointing at it, on the same date (the
    month's figures lose the mistake); the original stays. Once only; a reversal itself is not
    reversed."""
    instalment = Instalment.objects.select_for_update().get(pk=collection.instalment_id)
    original = Collection.objects.select_for_update().get(pk=collection.pk)
    customer = Customer.objects.get(pk=instalment.customer_id)
    _check_may_collect(actor, customer)
    reason = (reason or "").strip()
    if not reason:
        raise ContractError(_("Say why the collection is reversed."))
    if original.reverses_id is not None:
        raise ContractError(_("A reversal cannot be reversed: record the collection again."))
    if Collection.objects.filter(reverses=original).exists():
        raise ContractError(_("This collection was already reversed."))
    reversal = Collection.objects.create(
        instalment=instalment,
        contract_id=original.contract_id,
        customer_id=original.customer_id,
        amount=-original.amount,
        received_on=original.received_on,
        method=original.method,
        note=reason[:300],
        reverses=original,
        recorded_by=actor,
        recorded_at=now,
    )
    instalment.paid -= original.amount
    instalment.settled_on = None
    instalment.save(update_fields=["paid", "settled_on"])
    receivables_refresh([instalment.customer_id])
    month_figures_add(
        reversal.customer_id,
        received=[(reversal.received_on, reversal.amount)],
        owed=[(max(reversal.received_on, instalment.due_on), -reversal.amount)],
    )
    return reversal


# --- returns and exchanges -------------------------------------------------------------------


@transaction.atomic
def return_record(*, actor, customer, data: dict, now: datetime) -> ReturnRecord:
    """退换货: reverses quantity and amount of a purchase record or a signed contract line of
    this customer — at most what is left of it after earlier returns — and debits the sales
    credit of whoever got the original's, on the return's date. The original is never
    edited. An exchange records what came back; what went out instead is a new sale."""
    customer = customer_lock(customer)
    _check_may_draft(actor, customer)
    deal, line = data.get("deal"), data.get("contract_line")
    if (deal is None) == (line is None):
        raise ContractError(_("Choose the purchase record or contract line that is returned."))
    if data.get("kind") not in ReturnRecord.Kind.values:
        raise ContractError(_("Choose return or exchange."))
    occurred_at = data.get("occurred_at")
    problem = happened_problem(occurred_at, now=now) if occurred_at else _("When did it happen?")
    if problem:
        raise ContractError(problem)
    reason = (data.get("reason") or "").strip()
    if not reason:
        raise ContractError(_("Say why the goods came back."))
    # The original row is locked: two returns of the same line never both take the last piece.
    if deal is not None:
        original = Deal.objects.select_for_update().filter(pk=deal.pk, customer=customer).first()
        if original is None:
            raise ContractError(_("That purchase record belongs to another customer."))
        sold_at, credited_to = original.occurred_at, original.credited_to_id
        earlier = ReturnRecord.objects.filter(deal=original)
        credit_link = {"deal": original}
    else:
        original = (
            ContractLine.objects.select_for_update()
            .select_related("contract")
            .filter(
                pk=line.pk,
                contract__customer=customer,
                contract__status=Contract.Status.SIGNED,
            )
            .first()
        )
        if original is None:
            raise ContractError(_("Only a line of a signed contract of this customer is returned."))
        if original.quantity < 0:
            raise ContractError(_("A reduction line of an amendment cannot be returned."))
        sold_at, credited_to = original.contract.signed_at, original.contract.credited_to_id
        earlier = ReturnRecord.objects.filter(contract_line=original)
        credit_link = {"contract_id": original.contract_id}
    if occurred_at < sold_at:
        raise ContractError(_("A return cannot happen before the sale it reverses."))
    done = earlier.aggregate(q=Sum("quantity"), a=Sum("amount"))
    quantity_left = original.quantity - (done["q"] or 0)
    amount_left = original.amount - (done["a"] or 0)
    quantity = Decimal(data.get("quantity") or 0)
    amount = Decimal(data.get("amount") if data.get("amount") is not None else 0)
    if not quantity.is_finite() or quantity <= 0:
        raise ContractError(_("The quantity returned must be more than 0."))
    if not amount.is_finite() or amount < 0:
        raise ContractError(_("The amount reversed cannot be negative."))
    quantity, amount = quantity.quantize(CENT), _money(amount)
    if quantity > quantity_left:
        raise ContractError(
            _("At most %(left)s can still be returned of this sale.") % {"left": quantity_left}
        )
    if amount > amount_left:
        raise ContractError(
            _("At most %(left)s yuan of this sale can still be reversed.") % {"left": amount_left}
        )
    record = ReturnRecord.objects.create(
        kind=data["kind"],
        customer=customer,
        deal=original if deal is not None else None,
        contract_line=original if line is not None else None,
        quantity=quantity,
        amount=amount,
        reason=reason[:300],
        occurred_at=occurred_at,
        recorded_by=actor,
        entered_at=now,
    )
    SalesCredit.objects.create(
        kind=SalesCredit.Kind.RETURN,
        user_id=credited_to,
        department_id=credit_department(credited_to, customer),
        customer_id=customer.pk,
        on_date=timezone.localtime(occurred_at).date(),
        amount=-amount,
        quantity=-quantity,
        return_record=record,
        created_at=now,
        **credit_link,
    )
    return record


# --- attachments -----------------------------------------------------------------------------

_SIGNATURES = [
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
]


def attachment_content_type(upload) -> str:
    """The file's real type from its first bytes (the browser's claim is not trusted): PDF,
    JPEG, PNG or WebP, not empty, at most ContractAttachment.MAX_BYTES."""
    if not upload.size:
        raise ContractError(_("The file %(name)s is empty.") % {"name": upload.name})
    if upload.size > ContractAttachment.MAX_BYTES:
        raise ContractError(
            _("The file %(name)s is too large: at most %(mb)d MB.")
            % {"name": upload.name, "mb": ContractAttachment.MAX_BYTES // (1024 * 1024)}
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for signature, content_type in _SIGNATURES:
        if head.startswith(signature):
            return content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    raise ContractError(
        _("%(name)s is not a scan: only PDF, JPEG, PNG or WebP files are accepted.")
        % {"name": upload.name}
    )


@transaction.atomic
def contract_attachment_add(*, actor, contract: Contract, upload, now: datetime):
    """Store a scanned contract or annex under MEDIA_ROOT with an unguessable name
    (`attachment_path`); it is served only by `sales:contract_attachment`, to those who may
    see the customer. Drafts and signed contracts both take attachments (the scan comes after
    the signature)."""
    customer = customer_lock(contract.customer)
    _check_may_draft(actor, customer)
    content_type = attachment_content_type(upload)
    name = (upload.name or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:200] or "scan"
    attachment = ContractAttachment(
        contract=contract,
        original_name=name,
        content_type=content_type,
        size=upload.size,
        uploaded_by=actor,
        uploaded_at=now,
    )
    attachment.file.save(name, upload, save=False)
    attachment.save()
    # Written before the transaction commits: checked first, stored last (as visit photos).
    return attachment
