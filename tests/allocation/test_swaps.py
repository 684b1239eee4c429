"""Swaps (交换, 000 §4.2④; SPEC §5): both salespeople agree on a written application, the
department manager approves, across departments the next manager up as well; all customers move
in one transaction when the last approval is given, or none does."""

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, connections
from django.urls import reverse

from allocation.models import SwapApproval, SwapItem, SwapRequest
from allocation.selectors.swaps import lowest_common_parent, swaps_waiting_for_counterpart
from allocation.services.swaps import (
    SwapError,
    inbox_items,
    swap_agree,
    swap_approve,
    swap_decline,
    swap_propose,
    swap_reject,
)
from crm.models import Notification, Staff
from customers.errors import NotAllowed
from customers.models import Customer, OwnershipEvent, OwnershipKind
from customers.services import ownership_transfer
from tests.factories import DepartmentFactory, make_person, register

SH = ZoneInfo("Asia/Shanghai")
PROPOSED = datetime(2026, 3, 2, 9, 0, tzinfo=SH)
AGREED = datetime(2026, 3, 2, 11, 0, tzinfo=SH)
APPROVED = datetime(2026, 3, 3, 10, 0, tzinfo=SH)
LATER = datetime(2026, 3, 4, 10, 0, tzinfo=SH)
Status = SwapRequest.Status


def holders(*customers):
    return [Customer.objects.get(pk=c.pk).holder for c in customers]


def swap_events():
    return OwnershipEvent.objects.filter(kind=OwnershipKind.SWAP)


def proposed(proposer, counterpart, *, give, take, reason="客户所在区域调整,双方协商一致交换"):
    return swap_propose(
        actor=proposer,
        counterpart=counterpart,
        give=[c.pk for c in give],
        take=[c.pk for c in take],
        reason=reason,
        now=PROPOSED,
    )


def agreed(proposer, counterpart, *, give, take):
    swap = proposed(proposer, counterpart, give=give, take=take)
    return swap_agree(actor=counterpart, swap=swap, now=AGREED)


@pytest.fixture
def same(org):
    """sales_a gives one customer to sales_a2 (same department A) for one of theirs."""
    mine = register(org.sales_a, name="甲方客户有限公司")
    theirs = register(org.sales_a2, name="乙方客户有限公司")
    return mine, theirs


@pytest.fixture
def cross(org):
    """sales_a (department A) and sales_b (department B): no common parent, so the GM."""
    mine = register(org.sales_a, name="华东客户有限公司")
    theirs = register(org.sales_b, name="华南客户有限公司")
    return mine, theirs


# --- the workflow ------------------------------------------------------------------------------


def test_same_department_swap_executes_after_the_manager_approval_and_not_before(org, same):
    mine, theirs = same
    swap = proposed(org.sales_a, org.sales_a2, give=[mine], take=[theirs])
    assert swap.status == Status.AWAITING_COUNTERPART
    assert not swap.is_cross_department and swap.required_levels == ["department"]
    assert Notification.objects.filter(recipient=org.sales_a2).count() == 1

    swap = swap_agree(actor=org.sales_a2, swap=swap, now=AGREED)
    assert swap.status == Status.AWAITING_APPROVAL
    assert holders(mine, theirs) == [org.sales_a, org.sales_a2]
    assert not swap_events().exists()

    swap = swap_approve(actor=org.manager_a, swap=swap, now=APPROVED, reason="同意")

    assert swap.status == Status.EXECUTED and swap.closed_at == APPROVED
    assert holders(mine, theirs) == [org.sales_a2, org.sales_a]
    events = list(swap_events().order_by("customer_id"))
    assert [(e.from_holder, e.to_holder) for e in events] == [
        (org.sales_a, org.sales_a2),
        (org.sales_a2, org.sales_a),
    ]
    assert {(e.approval_ref, e.actor, e.at) for e in events} == {
        (f"JH{swap.pk:06d}", org.manager_a, APPROVED)
    }
    approval = SwapApproval.objects.get(swap=swap)
    assert (approval.level, approval.approver, approval.reason) == (
        "department",
        org.manager_a,
        "同意",
    )
    # Both parties heard of the agreement / the execution.
    assert Notification.objects.filter(recipient=org.sales_a).count() == 2
    assert Notification.objects.filter(recipient=org.sales_a2).count() == 2


def test_approval_before_the_counterpart_agrees_is_refused(org, same):
    mine, theirs = same
    swap = proposed(org.sales_a, org.sales_a2, give=[mine], take=[theirs])
    with pytest.raises(SwapError):
        swap_approve(actor=org.manager_a, swap=swap, now=APPROVED)
    assert not SwapApproval.objects.exists()
    assert holders(mine, theirs) == [org.sales_a, org.sales_a2]


def test_cross_department_swap_is_not_executed_until_both_approvals_exist(org, cross):
    mine, theirs = cross
    swap = agreed(org.sales_a, org.sales_b, give=[mine], take=[theirs])
    assert swap.is_cross_department and swap.upper_department is None

    swap = swap_approve(actor=org.manager_a, swap=swap, now=APPROVED)
    assert swap.status == Status.AWAITING_APPROVAL
    assert holders(mine, theirs) == [org.sales_a, org.sales_b]
    # The department step is done; the other department's manager has nothing left to approve.
    with pytest.raises(SwapError):
        swap_approve(actor=org.manager_b, swap=swap, now=APPROVED)
    assert holders(mine, theirs) == [org.sales_a, org.sales_b]

    swap = swap_approve(actor=org.gm, swap=swap, now=LATER)

    assert swap.status == Status.EXECUTED
    assert holders(mine, theirs) == [org.sales_b, org.sales_a]
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.department, theirs.department) == (org.b, org.a)
    assert dict(swap.approvals.values_list("level", "approver")) == {
        "department": org.manager_a.pk,
        "upper": org.gm.pk,
    }


def test_gm_approval_satisfies_every_step(org, cross):
    mine, theirs = cross
    swap = agreed(org.sales_a, org.sales_b, give=[mine], take=[theirs])

    swap = swap_approve(actor=org.gm, swap=swap, now=APPROVED)

    assert swap.status == Status.EXECUTED
    assert holders(mine, theirs) == [org.sales_b, org.sales_a]
    assert sorted(swap.approvals.values_list("level", "approver")) == [
        ("department", org.gm.pk),
        ("upper", org.gm.pk),
    ]


def test_the_common_parent_manager_is_the_next_manager_up(org):
    a2 = DepartmentFactory(name="杭州分部", parent=org.a)
    manager_a2 = make_person("manager_a2", Staff.Role.MANAGER, a2, manages=a2)
    seller = make_person("sales_a2x", Staff.Role.SALESPERSON, a2)
    mine, theirs = register(org.sales_a1), register(seller)
    swap = agreed(org.sales_a1, seller, give=[mine], take=[theirs])
    assert swap.upper_department == org.a

    swap = swap_approve(actor=manager_a2, swap=swap, now=APPROVED)
    assert swap.status == Status.AWAITING_APPROVAL
    # A manager of the other sub-department cannot fill the upper step.
    with pytest.raises(SwapError):
        swap_approve(actor=org.manager_a1, swap=swap, now=APPROVED)

    swap = swap_approve(actor=org.manager_a, swap=swap, now=LATER)

    assert swap.status == Status.EXECUTED
    assert holders(mine, theirs) == [seller, org.sales_a1]
    assert dict(swap.approvals.values_list("level", "approver")) == {
        "department": manager_a2.pk,
        "upper": org.manager_a.pk,
    }


def test_the_upper_manager_first_fills_the_upper_step_and_cannot_fill_both(org):
    a2 = DepartmentFactory(name="杭州分部", parent=org.a)
    seller = make_person("sales_a2x", Staff.Role.SALESPERSON, a2)
    mine, theirs = register(org.sales_a1), register(seller)
    swap = agreed(org.sales_a1, seller, give=[mine], take=[theirs])

    swap = swap_approve(actor=org.manager_a, swap=swap, now=APPROVED)
    assert list(swap.approvals.values_list("level", flat=True)) == ["upper"]
    with pytest.raises(SwapError):
        swap_approve(actor=org.manager_a, swap=swap, now=LATER)
    assert swap.approvals.count() == 1

    swap = swap_approve(actor=org.manager_a1, swap=swap, now=LATER)
    assert swap.status == Status.EXECUTED


def test_a_department_and_its_own_sub_department_share_no_parent(org):
    assert lowest_common_parent(org.a, org.a1) is None
    assert lowest_common_parent(org.a1, org.a1) == org.a
    assert lowest_common_parent(org.a, org.b) is None


def test_rejection_closes_the_swap_and_tells_both_parties(org, same):
    mine, theirs = same
    swap = agreed(org.sales_a, org.sales_a2, give=[mine], take=[theirs])
    before = Notification.objects.count()

    swap = swap_reject(actor=org.manager_a, swap=swap, reason="两位客户正在洽谈中", now=APPROVED)

    assert (swap.status, swap.closed_by, swap.closing_reason) == (
        Status.REJECTED,
        org.manager_a,
        "两位客户正在洽谈中",
    )
    assert holders(mine, theirs) == [org.sales_a, org.sales_a2]
    assert Notification.objects.count() == before + 2
    with pytest.raises(SwapError):
        swap_approve(actor=org.gm, swap=swap, now=LATER)
    assert not swap_events().exists()


def test_rejection_without_a_reason_is_refused(org, same):
    mine, theirs = same
    swap = agreed(org.sales_a, org.sales_a2, give=[mine], take=[theirs])
    with pytest.raises(SwapError):
        swap_reject(actor=org.manager_a, swap=swap, reason="  ", now=APPROVED)
    swap.refresh_from_db()
    assert swap.status == Status.AWAITING_APPROVAL


def test_a_cross_department_swap_rejected_at_the_upper_step_moves_nothing(org, cross):
    mine, theirs = cross
    swap = agreed(org.sales_a, org.sales_b, give=[mine], take=[theirs])
    swap_approve(actor=org.manager_b, swap=swap, now=APPROVED)
    swap = swap_reject(actor=org.gm, swap=swap, reason="不符合区域划分", now=LATER)
    assert swap.status == Status.REJECTED
    assert holders(mine, theirs) == [org.sales_a, org.sales_b]


def test_the_counterpart_declines_with_a_reason(org, same):
    mine, theirs = same
    swap = proposed(org.sales_a, org.sales_a2, give=[mine], take=[theirs])
    with pytest.raises(SwapError):
        swap_decline(actor=org.sales_a2, swap=swap, reason="", now=AGREED)

    swap = swap_decline(actor=org.sales_a2, swap=swap, reason="我的客户即将成交", now=AGREED)

    assert swap.status == Status.DECLINED and swap.closing_reason == "我的客户即将成交"
    assert Notification.objects.filter(recipient=org.sales_a).count() == 1
    with pytest.raises(SwapError):
        swap_agree(actor=org.sales_a2, swap=swap, now=LATER)


def test_half_failed_swap_leaves_both_customers_where_they_were(org):
    first = register(org.sales_a, name="先移动的客户")
    second = register(org.sales_a2, name="已被回收的客户")
    swap = agreed(org.sales_a, org.sales_a2, give=[first], take=[second])
    # Before the final approval, the counterpart's customer is reclaimed into the pool.
    ownership_transfer(
        customer=second, to_pool="department", kind=OwnershipKind.RECLAIM, actor=None, now=AGREED
    )

    swap = swap_approve(actor=org.manager_a, swap=swap, now=APPROVED)

    assert swap.status == Status.FAILED
    assert "已被回收的客户" in swap.closing_reason
    # The first customer would have moved first (customer order): it was rolled back.
    assert first.pk < second.pk
    assert holders(first, second) == [org.sales_a, None]
    assert Customer.objects.get(pk=first.pk).holder_since == first.holder_since
    assert not swap_events().exists()
    swap.refresh_from_db()
    assert swap.status == Status.FAILED and swap.closed_by == org.manager_a
    assert swap.approvals.get().approver == org.manager_a
    with pytest.raises(SwapError):
        swap_approve(actor=org.gm, swap=swap, now=LATER)


def test_a_party_who_has_left_makes_the_swap_fail(org, same):
    mine, theirs = same
    swap = agreed(org.sales_a, org.sales_a2, give=[mine], take=[theirs])
    staff = org.sales_a2.staff
    staff.status, staff.status_effective_at = Staff.Status.LEFT, AGREED
    staff.save()

    swap = swap_approve(actor=org.manager_a, swap=swap, now=APPROVED)

    assert swap.status == Status.FAILED
    assert holders(mine, theirs) == [org.sales_a, org.sales_a2]


def test_a_second_approval_after_execution_is_refused_and_nothing_moves_twice(org, same):
    mine, theirs = same
    swap = agreed(org.sales_a, org.sales_a2, give=[mine], take=[theirs])
    swap_approve(actor=org.manager_a, swap=swap, now=APPROVED)

    with pytest.raises(SwapError):
        swap_approve(actor=org.gm, swap=swap, now=LATER)

    assert swap_events().count() == 2
    assert holders(mine, theirs) == [org.sales_a2, org.sales_a]
    assert SwapApproval.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_approvals_at_the_same_moment_execute_the_swap_once():
    if connection.vendor != "postgresql":
        pytest.skip("race test needs PostgreSQL's row locks (SQLite serialises)")
    department = DepartmentFactory(name="并发部")
    manager = make_person("race_manager", Staff.Role.MANAGER, department, manages=department)
    gm = make_person("race_gm", Staff.Role.GENERAL_MANAGER)
    one = make_person("race_one", Staff.Role.SALESPERSON, department)
    two = make_person("race_two", Staff.Role.SALESPERSON, department)
    mine, theirs = register(one), register(two)
    swap = agreed(one, two, give=[mine], take=[theirs])
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(approver):
        try:
            barrier.wait()
            result = swap_approve(actor=approver, swap=swap, now=APPROVED).status
        except SwapError:
            result = "refused"
        except Exception as exc:  # noqa: BLE001 — any other outcome is the failure we test for
            result = f"error: {exc!r}"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=attempt, args=(p,)) for p in (manager, gm)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(outcomes) == ["executed", "refused"]
    assert swap_events().count() == 2
    assert SwapApproval.objects.filter(swap=swap).count() == 1
    assert holders(mine, theirs) == [two, one]


# --- who may not -------------------------------------------------------------------------------


def test_only_the_counterpart_agrees(org, same):
    mine, theirs = same
    swap = proposed(org.sales_a, org.sales_a2, give=[mine], take=[theirs])
    for outsider in (org.sales_a, org.sales_b, org.manager_a):
        with pytest.raises(NotAllowed):
            swap_agree(actor=outsider, swap=swap, now=AGREED)
    swap.refresh_from_db()
    assert swap.status == Status.AWAITING_COUNTERPART


def test_parties_salespeople_and_other_departments_managers_cannot_approve(org, same):
    mine, theirs = same
    swap = agreed(org.sales_a, org.sales_a2, give=[mine], take=[theirs])
    for person in (org.sales_a, org.sales_a2, org.sales_b, org.manager_b, org.manager_a1):
        with pytest.raises(NotAllowed):
            swap_approve(actor=person, swap=swap, now=APPROVED)
        with pytest.raises(NotAllowed):
            swap_reject(actor=person, swap=swap, reason="不行", now=APPROVED)
    assert not SwapApproval.objects.exists()
    assert holders(mine, theirs) == [org.sales_a, org.sales_a2]


# --- bad input ---------------------------------------------------------------------------------


def test_a_swap_needs_customers_on_both_sides(org, same):
    mine, theirs = same
    with pytest.raises(SwapError):
        proposed(org.sales_a, org.sales_a2, give=[], take=[theirs])
    assert not SwapRequest.objects.exists()
    # the counterpart's side may be left to the counterpart, who must then name it to agree
    swap = proposed(org.sales_a, org.sales_a2, give=[mine], take=[])
    with pytest.raises(SwapError):
        swap_agree(actor=org.sales_a2, swap=swap, now=AGREED)
    with pytest.raises(SwapError):  # not theirs to give
        swap_agree(actor=org.sales_a2, swap=swap, now=AGREED, give_back=[mine.pk])
    swap_agree(actor=org.sales_a2, swap=swap, now=AGREED, give_back=[theirs.pk])
    swap.refresh_from_db()
    taken = swap.items.get(from_holder=org.sales_a2)
    assert (taken.customer, taken.to_holder, swap.status) == (
        theirs,
        org.sales_a,
        "awaiting_approval",
    )


def test_only_customers_each_side_holds_can_be_swapped(org, same):
    mine, theirs = same
    elsewhere = register(org.sales_b)
    with pytest.raises(SwapError):
        proposed(org.sales_a, org.sales_a2, give=[theirs], take=[theirs])
    with pytest.raises(SwapError):
        proposed(org.sales_a, org.sales_a2, give=[mine], take=[elsewhere])
    with pytest.raises(SwapError):
        proposed(org.sales_a, org.sales_a2, give=[mine, elsewhere], take=[theirs])
    assert not SwapRequest.objects.exists() and not SwapItem.objects.exists()


def test_the_counterpart_must_be_another_active_salesperson(org, same):
    mine, theirs = same
    with pytest.raises(SwapError):
        proposed(org.sales_a, org.sales_a, give=[mine], take=[mine])
    with pytest.raises(SwapError):
        proposed(org.sales_a, org.manager_a, give=[mine], take=[theirs])
    staff = org.sales_a2.staff
    staff.status, staff.status_effective_at = Staff.Status.LEFT, PROPOSED - timedelta(days=1)
    staff.save()
    with pytest.raises(SwapError):
        proposed(org.sales_a, org.sales_a2, give=[mine], take=[theirs])
    assert not SwapRequest.objects.exists()


def test_a_written_reason_is_required_and_only_salespeople_propose(org, same):
    mine, theirs = same
    with pytest.raises(SwapError):
        proposed(org.sales_a, org.sales_a2, give=[mine], take=[theirs], reason="   ")
    with pytest.raises(NotAllowed):
        proposed(org.manager_a, org.sales_a2, give=[mine], take=[theirs])
    assert not SwapRequest.objects.exists()


# --- inbox -------------------------------------------------------------------------------------


def test_inbox_lists_swaps_waiting_on_the_user(org, same, cross):
    swap_same = proposed(org.sales_a, org.sales_a2, give=[same[0]], take=[same[1]])
    assert [i.url for i in swaps_waiting_for_counterpart(org.sales_a2)] == [
        reverse("allocation:swap_detail", args=[swap_same.pk])
    ]
    assert inbox_items(org.manager_a, now=LATER) == []  # not before the counterpart agrees

    swap_agree(actor=org.sales_a2, swap=swap_same, now=AGREED)
    swap_cross = agreed(org.sales_a, org.sales_b, give=[cross[0]], take=[cross[1]])
    detail = lambda s: reverse("allocation:swap_detail", args=[s.pk])  # noqa: E731

    assert swaps_waiting_for_counterpart(org.sales_a2) == []
    assert [i.url for i in inbox_items(org.manager_a, now=LATER)] == [
        detail(swap_same),
        detail(swap_cross),
    ]
    assert inbox_items(org.manager_a, now=LATER)[0].kind
    assert [i.url for i in inbox_items(org.manager_b, now=LATER)] == [detail(swap_cross)]
    # The GM is the next manager up of the cross-department swap only.
    assert [i.url for i in inbox_items(org.gm, now=LATER)] == [detail(swap_cross)]
    assert inbox_items(org.manager_a1, now=LATER) == []
    assert inbox_items(org.sales_a, now=LATER) == []

    swap_approve(actor=org.manager_b, swap=swap_cross, now=APPROVED)
    assert [i.url for i in inbox_items(org.manager_a, now=LATER)] == [detail(swap_same)]
    assert inbox_items(org.manager_b, now=LATER) == []
    assert [i.url for i in inbox_items(org.gm, now=LATER)] == [detail(swap_cross)]


# --- pages -------------------------------------------------------------------------------------


def test_propose_page_never_lists_the_counterparts_customers(org, login, same):
    """Issue 12, defect 12: ?counterpart= listed any salesperson's customers company-wide.
    SPEC §1: a salesperson sees their own customers only; the counterpart picks their side."""
    mine, theirs = same
    far = register(org.sales_b, name="华南远方客户")
    client = login(org.sales_a)
    for person in (org.sales_a2, org.sales_b):
        page = client.get(reverse("allocation:swap_new"), {"counterpart": person.pk})
        html = page.content.decode()
        assert page.status_code == 200 and mine.name in html
        assert theirs.name not in html and theirs.code not in html
        assert far.name not in html and far.code not in html


def test_the_counterpart_picks_their_side_on_the_swap_page(org, login, same):
    mine, theirs = same
    swap = proposed(org.sales_a, org.sales_a2, give=[mine], take=[])
    counterpart = login(org.sales_a2)
    html = counterpart.get(reverse("allocation:swap_detail", args=[swap.pk])).content.decode()
    assert 'data-testid="give-back"' in html and theirs.name in html
    refused = counterpart.post(reverse("allocation:swap_agree", args=[swap.pk]), {})
    assert refused.status_code == 400 and swap.items.count() == 1
    counterpart.post(reverse("allocation:swap_agree", args=[swap.pk]), {"give_back": [theirs.pk]})
    swap.refresh_from_db()
    assert swap.status == "awaiting_approval" and swap.items.count() == 2


def test_propose_page_is_for_salespeople_only(org, login):
    for person in (org.manager_a, org.gm, org.accountant_a):
        assert login(person).get(reverse("allocation:swap_new")).status_code == 404


def test_proposing_through_the_page(org, login, same):
    mine, theirs = same
    response = login(org.sales_a).post(
        reverse("allocation:swap_new"),
        {
            "counterpart": org.sales_a2.pk,
            "give": [mine.pk],
            "take": [theirs.pk],  # ignored: the page has no such field any more
            "reason": "双方客户地址更近,交换便于服务",
        },
    )
    swap = SwapRequest.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("allocation:swap_detail", args=[swap.pk])
    assert (swap.proposer, swap.counterpart, swap.items.count()) == (org.sales_a, org.sales_a2, 1)


@pytest.mark.parametrize(
    "change",
    [
        "no_give",
        "give_not_mine",
        "no_reason",
        "counterpart_left",
        "no_counterpart",
    ],
)
def test_bad_proposals_are_refused_and_write_nothing(org, login, same, change):
    mine, theirs = same
    elsewhere = register(org.sales_b)
    data = {
        "counterpart": org.sales_a2.pk,
        "give": [mine.pk],
        "take": [theirs.pk],
        "reason": "交换理由",
    }
    if change == "no_give":
        data["give"] = []
    elif change == "give_not_mine":
        data["give"] = [elsewhere.pk]
    elif change == "no_reason":
        data["reason"] = ""
    elif change == "counterpart_left":
        staff = org.sales_a2.staff
        staff.status, staff.status_effective_at = Staff.Status.LEFT, PROPOSED
        staff.save()
    elif change == "no_counterpart":
        data["counterpart"] = ""

    response = login(org.sales_a).post(reverse("allocation:swap_new"), data)

    assert response.status_code == 400
    assert 'data-testid="error"' in response.content.decode()
    assert not SwapRequest.objects.exists() and not SwapItem.objects.exists()


def test_who_may_see_a_swap(org, login, same):
    mine, theirs = same
    swap = proposed(org.sales_a, org.sales_a2, give=[mine], take=[theirs])
    url = reverse("allocation:swap_detail", args=[swap.pk])
    for person in (org.sales_a, org.sales_a2, org.manager_a, org.gm):
        assert login(person).get(url).status_code == 200, person
    for person in (org.sales_b, org.sales_a1, org.manager_b, org.manager_a1, org.accountant_a):
        assert login(person).get(url).status_code == 404, person
    assert login(org.sales_a).get(reverse("allocation:swap_list")).status_code == 200
    listed = login(org.manager_b).get(reverse("allocation:swap_list"))
    assert swap.reference not in listed.content.decode()


def test_agreeing_through_the_page(org, login, same):
    mine, theirs = same
    swap = proposed(org.sales_a, org.sales_a2, give=[mine], take=[theirs])
    agree = reverse("allocation:swap_agree", args=[swap.pk])
    page = login(org.sales_a2).get(reverse("allocation:swap_detail", args=[swap.pk]))
    assert agree in page.content.decode()

    assert login(org.sales_b).post(agree).status_code == 404
    assert login(org.sales_a).post(agree).status_code == 400
    swap.refresh_from_db()
    assert swap.status == Status.AWAITING_COUNTERPART

    assert login(org.sales_a2).post(agree).status_code == 302
    swap.refresh_from_db()
    assert swap.status == Status.AWAITING_APPROVAL


def test_declining_through_the_page_needs_a_reason(org, login, same):
    mine, theirs = same
    swap = proposed(org.sales_a, org.sales_a2, give=[mine], take=[theirs])
    decline = reverse("allocation:swap_decline", args=[swap.pk])
    client = login(org.sales_a2)
    assert client.post(decline, {"reason": ""}).status_code == 400
    assert client.post(decline, {"reason": "不愿交换"}).status_code == 302
    swap.refresh_from_db()
    assert swap.status == Status.DECLINED


def test_approving_through_the_page(org, login, same):
    mine, theirs = same
    swap = agreed(org.sales_a, org.sales_a2, give=[mine], take=[theirs])
    approve = reverse("allocation:swap_approve", args=[swap.pk])
    detail = reverse("allocation:swap_detail", args=[swap.pk])
    assert approve in login(org.manager_a).get(detail).content.decode()
    assert approve not in login(org.sales_a).get(detail).content.decode()

    assert login(org.manager_b).post(approve).status_code == 404
    assert login(org.sales_b).post(approve).status_code == 404
    assert login(org.sales_a).post(approve).status_code == 400  # the proposer
    assert login(org.sales_a2).post(approve).status_code == 400  # a salesperson
    assert holders(mine, theirs) == [org.sales_a, org.sales_a2]

    response = login(org.manager_a).post(approve, {"reason": "同意交换"})
    assert response.status_code == 302 and response.url == detail
    assert holders(mine, theirs) == [org.sales_a2, org.sales_a]

    # Clicking again (or the GM clicking too) is refused with a message.
    again = login(org.gm).post(approve)
    assert again.status_code == 400 and 'data-testid="error"' in again.content.decode()
    assert swap_events().count() == 2


def test_rejecting_through_the_page(org, login, cross):
    mine, theirs = cross
    swap = agreed(org.sales_a, org.sales_b, give=[mine], take=[theirs])
    reject = reverse("allocation:swap_reject", args=[swap.pk])
    assert login(org.manager_b).post(reject, {"reason": ""}).status_code == 400
    assert login(org.manager_b).post(reject, {"reason": "客户正在成交"}).status_code == 302
    swap.refresh_from_db()
    assert swap.status == Status.REJECTED
    assert holders(mine, theirs) == [org.sales_a, org.sales_b]


def test_a_failed_swap_shows_why_on_the_page(org, login, same):
    mine, theirs = same
    swap = agreed(org.sales_a, org.sales_a2, give=[mine], take=[theirs])
    ownership_transfer(
        customer=mine, to_pool="department", kind=OwnershipKind.RECLAIM, actor=None, now=AGREED
    )
    client = login(org.manager_a)
    response = client.post(reverse("allocation:swap_approve", args=[swap.pk]), follow=True)
    assert response.status_code == 200
    assert 'data-status="failed"' in response.content.decode()
    assert holders(mine, theirs) == [None, org.sales_a2]


def test_detail_page_shows_the_steps_and_who_approved(org, login):
    a2 = DepartmentFactory(name="杭州分部", parent=org.a)
    seller = make_person("sales_a2x", Staff.Role.SALESPERSON, a2)
    mine, theirs = register(org.sales_a1), register(seller)
    swap = agreed(org.sales_a1, seller, give=[mine], take=[theirs])
    swap_approve(actor=org.manager_a1, swap=swap, now=APPROVED, reason="同意本部门交换")

    page = login(org.manager_a).get(reverse("allocation:swap_detail", args=[swap.pk]))

    html = page.content.decode()
    assert page.status_code == 200
    assert org.a.name in html  # the approving parent department
    assert "同意本部门交换" in html and org.manager_a1.display_name in html
    assert reverse("allocation:swap_approve", args=[swap.pk]) in html
    assert mine.code in html and theirs.code in html


def test_the_inbox_costs_one_query_when_nothing_waits(org, same, django_assert_num_queries):
    proposed(org.sales_a, org.sales_a2, give=[same[0]], take=[same[1]])  # not agreed yet
    for person in (org.gm, org.manager_a):
        user = type(person).objects.select_related("staff").get(pk=person.pk)
        with django_assert_num_queries(1):
            assert inbox_items(user, now=LATER) == []


def test_an_invalid_customer_cannot_be_swapped(org):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from allocation.services.swaps import SwapError, swap_propose
    from customers.services import customer_declare_invalid, followup_log

    now = datetime(2026, 5, 4, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
    dead = register(org.sales_a, name="无效客户甲", phone="13811112222", now=now)
    live = register(org.sales_a2, name="有效客户乙", phone="13833334444", now=now)
    followup_log(
        actor=org.manager_a,
        customer=dead,
        now=now,
        data={"kind": "callback", "occurred_at": now, "content": "经理回访：空号，无法联系客户。"},
    )
    customer_declare_invalid(actor=org.manager_a, customer=dead, reason="空号", now=now)
    with pytest.raises(SwapError, match="无效客户"):
        swap_propose(
            actor=org.sales_a,
            counterpart=org.sales_a2,
            give=[dead.pk],
            take=[live.pk],
            reason="区域调整",
            now=now,
        )
