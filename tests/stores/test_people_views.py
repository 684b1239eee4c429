"""The store's people pages (SPEC §12): what each person sees and may do; bad input is a
clear message and writes nothing."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from stores.models import Attendance, DesignerMonth, DesignerProfile, Outing
from stores.services.people import attendance_record, outing_register

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 6, 10, 15, 0, tzinfo=SH)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _login(client, user):
    client.force_login(user)
    return client


def _rows(prefix, rows):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(len(rows)),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for n, row in enumerate(rows):
        data.update({f"{prefix}-{n}-{k}": v for k, v in row.items()})
    return data


def test_designer_list_shows_level_styles_attendance_and_outing(shop, client, clock):
    attendance_record(
        actor=shop.cm1,
        store=shop.store,
        day=date(2026, 6, 10),
        rows=[{"designer": shop.d4, "status": "absent", "note": ""}],
        now=NOW,
    )
    outing_register(
        actor=shop.cm1,
        store=shop.store,
        designer=shop.d3,
        purpose="去望京量房",
        out_at=datetime(2026, 6, 10, 10, tzinfo=SH),
        now=NOW,
    )
    body = _login(client, shop.consultant).get("/stores/people/designers/").content.decode()
    assert "首席设计师" in body and "去望京量房" in body
    assert f'data-id="{shop.d1.pk}"' in body
    assert shop.other.d1.username not in body
    # The consultant sees the list but not the profiles: no links to them.
    assert f"/stores/people/designers/{shop.d1.pk}/" not in body


def test_profile_readers(shop, client):
    url = f"/stores/people/designers/{shop.d3.pk}/"
    for who, status in [
        (shop.d3, 200),  # own profile
        (shop.cm1, 200),  # 004 五.5
        (shop.manager, 200),
        (shop.org.gm, 200),
        (shop.d1, 404),  # a colleague
        (shop.consultant, 404),
        (shop.other.manager, 404),
        (shop.org.manager_a, 404),
    ]:
        assert _login(client, who).get(url).status_code == status, who


def test_store_manager_edits_a_profile_through_the_page(shop, client):
    c = _login(client, shop.manager)
    url = f"/stores/people/designers/{shop.d5.pk}/edit/"
    assert c.get(url).status_code == 200
    response = c.post(
        url,
        {
            "level": shop.levels["设计师"].pk,
            "school": "北京工业大学",
            "work_history": "2023 至今 北京",
            "styles": ["nordic", "japanese"],
            "suited_customers": ["freelance"],
            "awards": "",
            "published_works": "",
        },
    )
    assert response.status_code == 302
    profile = DesignerProfile.objects.get(user=shop.d5)
    assert profile.level.name == "设计师" and profile.styles == ["nordic", "japanese"]
    # Junk style: the form says so, nothing changes.
    response = c.post(url, {"level": shop.levels["首席设计师"].pk, "styles": ["baroque"]})
    assert response.status_code == 400
    assert DesignerProfile.objects.get(user=shop.d5).level.name == "设计师"


@pytest.mark.parametrize("who", ["cm1", "d5", "consultant"])
def test_others_have_no_edit_page(shop, client, who):
    url = f"/stores/people/designers/{shop.d5.pk}/edit/"
    assert _login(client, getattr(shop, who)).get(url).status_code == 404


def test_customer_manager_saves_todays_sheet(shop, client, clock):
    c = _login(client, shop.cm1)
    assert c.get("/stores/people/attendance/").status_code == 200
    rows = [{"designer": d.pk, "status": "present", "note": ""} for d in shop.designers]
    rows[3]["status"] = "late"
    response = c.post("/stores/people/attendance/?day=2026-06-10", _rows("rows", rows))
    assert response.status_code == 302
    assert Attendance.objects.filter(day=date(2026, 6, 10)).count() == 5
    assert Attendance.objects.get(designer=shop.d4).status == "late"


def test_sheet_of_an_old_day_is_read_only_and_posting_writes_nothing(shop, client, clock):
    c = _login(client, shop.cm1)
    body = c.get("/stores/people/attendance/?day=2026-06-01").content.decode()
    assert 'data-testid="read-only"' in body and "attendance-form" not in body
    rows = [{"designer": shop.d1.pk, "status": "present", "note": ""}]
    response = c.post("/stores/people/attendance/?day=2026-06-01", _rows("rows", rows))
    assert response.status_code == 302
    assert not Attendance.objects.exists()


def test_designer_reads_the_sheet_without_a_form(shop, client, clock):
    attendance_record(
        actor=shop.cm1,
        store=shop.store,
        day=date(2026, 6, 9),
        rows=[{"designer": shop.d4, "status": "absent", "note": "未到"}],
        now=NOW,
    )
    c = _login(client, shop.d1)
    body = c.get("/stores/people/attendance/?day=2026-06-09").content.decode()
    assert "未到" in body and "attendance-form" not in body
    rows = [{"designer": shop.d1.pk, "status": "present", "note": ""}]
    c.post("/stores/people/attendance/?day=2026-06-10", _rows("rows", rows))
    assert Attendance.objects.count() == 1


def test_sheet_with_a_foreign_designer_is_refused_whole(shop, client, clock):
    c = _login(client, shop.cm1)
    rows = [
        {"designer": shop.d1.pk, "status": "present", "note": ""},
        {"designer": shop.other.d1.pk, "status": "present", "note": ""},
    ]
    response = c.post("/stores/people/attendance/", _rows("rows", rows))
    assert response.status_code == 400
    assert not Attendance.objects.exists()


def test_outing_register_and_back_through_the_pages(shop, client, clock):
    c = _login(client, shop.cm1)
    response = c.post(
        "/stores/people/outings/",
        {"designer": shop.d3.pk, "purpose": "量房", "out_at": "2026-06-10T10:00"},
    )
    assert response.status_code == 302
    outing = Outing.objects.get()
    again = c.post(
        "/stores/people/outings/",
        {"designer": shop.d3.pk, "purpose": "又出去", "out_at": "2026-06-10T11:00"},
    )
    assert again.status_code == 400 and 'class="errorlist' in again.content.decode()
    future = c.post(
        "/stores/people/outings/",
        {"designer": shop.d2.pk, "purpose": "量房", "out_at": "2026-06-10T18:00"},
    )
    assert future.status_code == 400
    assert Outing.objects.count() == 1
    body = c.get("/stores/people/outings/").content.decode()
    assert f"/stores/people/outings/{outing.pk}/back/" in body
    assert c.post(f"/stores/people/outings/{outing.pk}/back/", {"back_at": ""}).status_code == 302
    outing.refresh_from_db()
    assert outing.back_at == NOW


def test_designer_sees_outings_but_cannot_register_or_return(shop, client, clock):
    outing = outing_register(
        actor=shop.cm1,
        store=shop.store,
        designer=shop.d3,
        purpose="量房",
        out_at=datetime(2026, 6, 10, 10, tzinfo=SH),
        now=NOW,
    )
    c = _login(client, shop.d3)
    body = c.get("/stores/people/outings/").content.decode()
    assert "量房" in body and "outing-form" not in body
    assert c.post("/stores/people/outings/", {"designer": shop.d3.pk}).status_code == 404
    assert c.post(f"/stores/people/outings/{outing.pk}/back/").status_code == 404
    other = _login(client, shop.other.cm1)
    assert other.post(f"/stores/people/outings/{outing.pk}/back/").status_code == 404
    outing.refresh_from_db()
    assert outing.back_at is None


def test_month_page_entry_and_standard(shop, client, clock):
    c = _login(client, shop.manager)
    url = "/stores/people/months/?month=2026-05"
    assert c.get(url).status_code == 200
    rows = [
        {"designer": shop.d1.pk, "main_material_sales": "60000"},
        {"designer": shop.d3.pk, "main_material_sales": "30000"},
        {"designer": shop.d5.pk, "main_material_sales": ""},
    ]
    assert c.post(url, _rows("rows", rows)).status_code == 302
    assert DesignerMonth.objects.count() == 2
    body = _login(client, shop.cm1).get(url).content.decode()
    assert "50000" in body and "months-form" not in body
    negative = [{"designer": shop.d1.pk, "main_material_sales": "-5"}]
    assert _login(client, shop.manager).post(url, _rows("rows", negative)).status_code == 400
    assert DesignerMonth.objects.get(designer=shop.d1).main_material_sales == 60000


def test_future_month_is_read_only(shop, client, clock):
    c = _login(client, shop.manager)
    body = c.get("/stores/people/months/?month=2026-07").content.decode()
    assert 'data-testid="read-only"' in body and "months-form" not in body
    rows = [{"designer": shop.d1.pk, "main_material_sales": "1"}]
    c.post("/stores/people/months/?month=2026-07", _rows("rows", rows))
    assert not DesignerMonth.objects.exists()


def test_home_block_shows_todays_figures(shop, client, clock):
    attendance_record(
        actor=shop.cm1,
        store=shop.store,
        day=date(2026, 6, 10),
        rows=[{"designer": d, "status": "present", "note": ""} for d in shop.designers[:3]],
        now=NOW,
    )
    body = _login(client, shop.cm1).get("/stores/").content.decode()
    assert 'data-testid="home-people"' in body
    assert "/stores/people/attendance/" in body and "/stores/people/months/" in body
    designer_body = _login(client, shop.d1).get("/stores/").content.decode()
    assert "/stores/people/months/" not in designer_body
