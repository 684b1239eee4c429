"""A former holder is told when the reclaim engine takes their customers (issue 14 defect 3):
one notification per person per run, with the count, the appeal deadline and a link to the
board filtered to what was reclaimed from them, where the appeal works. Explicit clocks."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from allocation.models import JobRun, PublicNotice, UnsatisfiedVerification
from allocation.services.reclaim import reclaim_run
from crm.models import Notification
from customers.services import followup_log, ownership_transfer
from tests.factories import register

SH = ZoneInfo("Asia/Shanghai")
GOOD = "上门拜访，客户确认方案，约定下周签合同并交定金。"


def at(*args):
    return datetime(*args, tzinfo=SH)


def run(code, day, **kw):
    now = at(day.year, day.month, day.day, 0, 10)
    return reclaim_run(policy_code=code, as_of=day, now=now, **kw)


def issued(org, when, person):
    c = register(org.sales_a2, now=when)
    ownership_transfer(
        customer=c, to_holder=person, kind="distributed", actor=org.manager_a, now=when
    )
    return c


def reclaim_notes():
    return list(Notification.objects.filter(link__contains="mine=reclaimed").order_by("pk"))


def only_note_for(person):
    notes = [n for n in reclaim_notes() if n.recipient_id == person.pk]
    assert len(notes) == 1, notes
    return notes[0]


def test_no_deal_issued_tells_each_former_holder_once_with_count_deadline_and_link(org):
    for _ in range(3):
        issued(org, at(2026, 1, 15, 10), org.sales_a)
    issued(org, at(2026, 1, 15, 10), org.sales_b)
    result = reclaim_run(
        policy_code="no_deal_issued",
        as_of=date(2026, 4, 15),
        now=at(2026, 4, 15, 0, 10),
        batch_size=2,  # two batches, still one notification each
    )
    assert result.moved == 4
    job = JobRun.objects.get()
    a, b = only_note_for(org.sales_a), only_note_for(org.sales_b)
    assert "3" in a.title and "1" in b.title
    assert a.link == f"/allocation/notices/?mine=reclaimed&run={job.pk}" == b.link
    # Wednesday 15 April: Thu, Fri, Mon → the notice ends at midnight after Monday the 20th.
    assert "2026-04-20" in a.body and "3" in a.body
    assert a.created_at == at(2026, 4, 15, 0, 10)
    assert {n.recipient_id for n in Notification.objects.all()} == {org.sales_a.pk, org.sales_b.pk}


def test_no_deal_self_notifies_its_holder(org):
    register(org.sales_b2, now=at(2026, 1, 15, 10))
    register(org.sales_b2, now=at(2026, 1, 15, 10))
    assert run("no_deal_self", date(2026, 7, 15)).moved == 2
    note = only_note_for(org.sales_b2)
    assert "2" in note.title
    assert Notification.objects.count() == 1


def test_no_followup_monthly_run_notifies(org):
    register(org.sales_a1, now=at(2026, 1, 10, 9))
    kept = register(org.sales_a, now=at(2026, 1, 10, 9))
    followup_log(
        actor=org.sales_a,
        customer=kept,
        now=at(2026, 2, 20, 10),
        data={"kind": "callback", "occurred_at": at(2026, 2, 20, 10), "content": GOOD},
    )
    assert run("no_followup", date(2026, 3, 1)).moved == 1
    only_note_for(org.sales_a1)
    # The holder who kept their customer hears nothing.
    assert not Notification.objects.filter(recipient=org.sales_a).exists()


def test_unsatisfied_rule_notifies(org):
    c = register(org.sales_a, now=at(2026, 1, 5, 9))
    f = followup_log(
        actor=org.sales_a,
        customer=c,
        now=at(2026, 2, 10, 10),
        data={
            "kind": "callback",
            "occurred_at": at(2026, 2, 10, 10),
            "content": GOOD,
            "satisfaction": "unsatisfied",
        },
    )
    UnsatisfiedVerification.objects.create(
        followup=f, verified_by=org.manager_a, verified_at=at(2026, 2, 11, 9)
    )
    assert run("unsatisfied", date(2026, 3, 1)).moved == 1
    note = only_note_for(org.sales_a)
    assert "1" in note.title


def test_a_rerun_and_a_resumed_run_tell_nobody_twice(org, monkeypatch):
    from allocation.services import reclaim as engine

    for _ in range(4):
        issued(org, at(2026, 1, 15, 10), org.sales_a)
    move_batch, calls = engine._move_batch, []

    def dies_on_the_second_batch(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("worker died")
        return move_batch(*args, **kwargs)

    monkeypatch.setattr(engine, "_move_batch", dies_on_the_second_batch)
    with pytest.raises(RuntimeError):
        reclaim_run(
            policy_code="no_deal_issued",
            as_of=date(2026, 4, 15),
            now=at(2026, 4, 15, 0, 10),
            batch_size=2,
        )
    assert reclaim_notes() == [], "nobody is told before the run finishes"
    monkeypatch.setattr(engine, "_move_batch", move_batch)
    reclaim_run(
        policy_code="no_deal_issued",
        as_of=date(2026, 4, 15),
        now=at(2026, 4, 15, 1, 10),
        batch_size=2,
    )
    assert "4" in only_note_for(org.sales_a).title, "the resumed run counts the whole run"
    again = run("no_deal_issued", date(2026, 4, 15))
    assert again.already_done
    assert len(reclaim_notes()) == 1


def test_notifying_twice_for_a_finished_job_adds_nothing(org):
    """The dedup itself (a crash after the INSERT, before finished_at, is one transaction
    anyway; this covers a rerun of the notify step)."""
    from allocation.services.notices import reclaim_notify_holders

    issued(org, at(2026, 1, 15, 10), org.sales_a)
    run("no_deal_issued", date(2026, 4, 15))
    job = JobRun.objects.get()
    assert reclaim_notify_holders(job=job, now=at(2026, 4, 15, 2)) == 0
    assert len(reclaim_notes()) == 1


def test_chunks_then_final_pass_notify_once_with_the_whole_count(org):
    issued(org, at(2026, 1, 15, 10), org.sales_a)
    b_customer = issued(org, at(2026, 1, 15, 10), org.sales_b)
    b_customer.refresh_from_db()
    run("no_deal_issued", date(2026, 4, 15), department_ids=[org.a.pk])
    assert reclaim_notes() == [], "a chunk does not notify; the final pass does"
    run("no_deal_issued", date(2026, 4, 15))
    only_note_for(org.sales_a)
    only_note_for(org.sales_b)


def test_notification_is_one_insert_whatever_the_count(org):
    for person in (org.sales_a, org.sales_a2, org.sales_b):
        for _ in range(3):
            issued(org, at(2026, 1, 15, 10), person)
    with CaptureQueriesContext(connection) as queries:
        run("no_deal_issued", date(2026, 4, 15))
    inserts = [q for q in queries if q["sql"].startswith('INSERT INTO "crm_notification"')]
    assert len(inserts) == 1
    assert Notification.objects.count() == 3


def test_email_leaves_when_mail_is_configured(org, settings, django_capture_on_commit_callbacks):
    settings.NOTIFY_BY_EMAIL = True
    org.sales_a.email = "a@example.com"
    org.sales_a.save()
    issued(org, at(2026, 1, 15, 10), org.sales_a)
    with django_capture_on_commit_callbacks(execute=True):
        run("no_deal_issued", date(2026, 4, 15))
    assert [m.to for m in mail.outbox] == [["a@example.com"]]


def test_the_link_lists_the_run_and_the_appeal_works(org, login):
    mine = issued(org, at(2026, 1, 15, 10), org.sales_a)
    other = issued(org, at(2026, 1, 15, 10), org.sales_a2)
    run("no_deal_issued", date(2026, 4, 15))
    note = only_note_for(org.sales_a)
    client = login(org.sales_a)
    with time_machine.travel(at(2026, 4, 16, 9), tick=False):
        page = client.get(note.link)
        html = page.content.decode()
        notice = PublicNotice.objects.get(customer=mine)
        assert f'data-id="{notice.pk}"' in html
        assert f'data-id="{PublicNotice.objects.get(customer=other).pk}"' not in html
        appeal_href = f"/allocation/notices/{notice.pk}/#appeal"
        assert appeal_href in html
        detail = client.get(appeal_href.split("#")[0]).content.decode()
        assert f"/allocation/notices/{notice.pk}/appeal/" in detail
        response = client.post(
            f"/allocation/notices/{notice.pk}/appeal/", {"reason": "客户上周已下单，记录晚录了。"}
        )
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.appealed_at == at(2026, 4, 16, 9)
    # A company-pool reclaim: the GM, who decides, is told of the appeal.
    assert Notification.objects.filter(recipient=org.gm, link=f"/allocation/notices/{notice.pk}/")


def test_board_tab_reclaimed_from_me_shows_only_mine(org, login):
    mine = issued(org, at(2026, 1, 15, 10), org.sales_a)
    other = issued(org, at(2026, 1, 15, 10), org.sales_a2)
    run("no_deal_issued", date(2026, 4, 15))
    with time_machine.travel(at(2026, 4, 16, 9), tick=False):
        html = login(org.sales_a).get("/allocation/notices/?mine=reclaimed").content.decode()
    assert f'data-id="{PublicNotice.objects.get(customer=mine).pk}"' in html
    assert f'data-id="{PublicNotice.objects.get(customer=other).pk}"' not in html
    # Someone else's run id does not widen the list.
    with time_machine.travel(at(2026, 4, 16, 9), tick=False):
        html = login(org.sales_b).get(only_note_for(org.sales_a).link).content.decode()
    assert f'data-id="{PublicNotice.objects.get(customer=mine).pk}"' not in html
