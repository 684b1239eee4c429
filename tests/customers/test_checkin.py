"""外勤签到 (issue 14, build 8): a home visit carries a position fix and photos; photos are
served only to who may see the customer; the department's checked-in share per person."""

import struct
import zlib
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from customers.forms import FollowUpForm
from customers.models import FollowUp, VisitPhoto
from customers.selectors import checked_in_share_by_person
from customers.services import RecordError, followup_log, ownership_transfer
from tests.factories import register

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 10, 15, 0, tzinfo=SH)
GOOD = "上门量房，客厅和卧室共六十平米，约定三天后出方案。"
FIX = {
    "latitude": Decimal("31.230416"),
    "longitude": Decimal("121.473701"),
    "accuracy": 12,
    "at": NOW - timedelta(minutes=3),
}


def tiny_png() -> bytes:
    """A real 2×2 PNG (no Pillow here), so a browser can show it too."""

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\xd0\x60\x20" * 2 for _ in range(2))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def png(name="现场.png"):
    return SimpleUploadedFile(name, tiny_png(), content_type="image/png")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def mine(org):
    return register(org.sales_a, now=datetime(2026, 1, 5, 9, tzinfo=SH))


def visit(actor, customer, *, kind="home_visit", checkin=None, photos=(), now=NOW):
    return followup_log(
        actor=actor,
        customer=customer,
        now=now,
        data={
            "kind": kind,
            "occurred_at": now - timedelta(minutes=30),
            "content": GOOD,
            "checkin": checkin,
            "photos": list(photos),
        },
    )


def test_a_checked_in_visit_keeps_the_fix_and_its_photos_under_unguessable_names(org, mine, media):
    followup = visit(org.sales_a, mine, checkin=FIX, photos=[png(), png("b.png")])
    followup.refresh_from_db()
    assert followup.checked_in
    assert (followup.checkin_latitude, followup.checkin_longitude) == (
        FIX["latitude"],
        FIX["longitude"],
    )
    assert followup.checkin_accuracy == 12 and followup.checkin_at == FIX["at"]
    photos = list(followup.photos.order_by("pk"))
    assert [p.content_type for p in photos] == ["image/png", "image/png"]
    for p in photos:
        path = Path(p.file.path)
        assert path.is_file() and path.is_relative_to(media)
        assert "现场" not in p.file.name and len(path.stem) >= 32, "unguessable name"
        assert path.read_bytes() == tiny_png()
    assert photos[0].file.name != photos[1].file.name


def test_a_visit_without_check_in_is_just_a_visit(org, mine):
    followup = visit(org.sales_a, mine)
    assert not followup.checked_in and followup.checkin_latitude is None
    assert not followup.photos.exists()


@pytest.mark.parametrize(
    ("fix_at", "ok"),
    [
        (NOW - timedelta(hours=11, minutes=59), True),
        (NOW + timedelta(minutes=4), True),  # phone clock a little ahead
        (NOW - timedelta(hours=12, minutes=1), False),  # yesterday's fix reused
        (NOW + timedelta(minutes=6), False),
    ],
)
def test_the_fix_must_be_fresh(org, mine, fix_at, ok):
    checkin = {**FIX, "at": fix_at}
    if ok:
        assert visit(org.sales_a, mine, checkin=checkin).checked_in
    else:
        with pytest.raises(RecordError, match="签到位置不是刚刚获取的|not taken just now"):
            visit(org.sales_a, mine, checkin=checkin)
        assert not FollowUp.objects.exists()


def test_only_a_home_visit_carries_a_check_in_or_photos(org, mine):
    for extra in ({"checkin": FIX}, {"photos": [png()]}):
        with pytest.raises(RecordError):
            visit(org.sales_a, mine, kind="callback", **extra)
    assert not FollowUp.objects.exists() and not VisitPhoto.objects.exists()


def test_files_that_are_not_photos_or_too_large_or_too_many_are_refused(org, mine, media):
    fake = SimpleUploadedFile("报价.jpg", b"%PDF-1.4 not an image", content_type="image/jpeg")
    with pytest.raises(RecordError, match="JPEG"):
        visit(org.sales_a, mine, photos=[png(), fake])
    big = SimpleUploadedFile(
        "big.jpg", b"\xff\xd8\xff\xe0" + b"0" * VisitPhoto.MAX_BYTES, content_type="image/jpeg"
    )
    with pytest.raises(RecordError, match="8 MB"):
        visit(org.sales_a, mine, photos=[big])
    with pytest.raises(RecordError, match=str(VisitPhoto.MAX_COUNT)):
        visit(org.sales_a, mine, photos=[png() for _ in range(VisitPhoto.MAX_COUNT + 1)])
    empty = SimpleUploadedFile("empty.png", b"", content_type="image/png")
    with pytest.raises(RecordError):
        visit(org.sales_a, mine, photos=[empty])
    assert not FollowUp.objects.exists() and not VisitPhoto.objects.exists()
    assert not any(p.is_file() for p in Path(media).rglob("*")), "nothing stored on refusal"
    # WebP and JPEG are photos too.
    webp = SimpleUploadedFile("w.webp", b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"0" * 20)
    jpeg = SimpleUploadedFile("j.jpg", b"\xff\xd8\xff\xe0" + b"0" * 20)
    stored = visit(org.sales_a, mine, photos=[webp, jpeg]).photos.order_by("pk")
    assert [p.content_type for p in stored] == ["image/webp", "image/jpeg"]
    assert [Path(p.file.name).suffix for p in stored] == [".webp", ".jpg"]


def test_photo_limits_in_the_help_text_are_the_rule(org):
    with translation.override("en"):
        text = str(FollowUpForm.base_fields["photos"].help_text)
    assert f"up to {VisitPhoto.MAX_COUNT} photos" in text
    assert f"{VisitPhoto.MAX_BYTES // (1024 * 1024)} MB" in text


@pytest.mark.parametrize(
    "posted",
    [
        {"checkin_latitude": "31.2"},  # only part of a fix
        {
            "checkin_latitude": "95",
            "checkin_longitude": "121.4",
            "checkin_accuracy": "10",
            "checkin_at": "2026-03-10T06:57:00Z",
        },
        {
            "checkin_latitude": "31.2",
            "checkin_longitude": "121.4",
            "checkin_accuracy": "10",
            "checkin_at": "yesterday",
        },
    ],
)
def test_a_fix_that_cannot_be_read_is_refused_by_the_form(org, mine, posted):
    form = FollowUpForm(
        {"kind": "home_visit", "occurred_at": "2026-03-10T14:30", "content": GOOD, **posted},
        customer=mine,
    )
    with time_machine.travel(NOW, tick=False):
        assert not form.is_valid()
    assert form.non_field_errors()


def _post_visit(client, customer, **extra):
    return client.post(
        reverse("customers:followup_new", args=[customer.pk]),
        {
            "kind": "home_visit",
            "occurred_at": "2026-03-10T14:30",
            "content": GOOD,
            "checkin_latitude": "31.230416",
            "checkin_longitude": "121.473701",
            "checkin_accuracy": "12",
            "checkin_at": "2026-03-10T06:57:00.000Z",  # 14:57 in Shanghai
            **extra,
        },
    )


def test_the_page_logs_a_checked_in_visit_and_the_timeline_shows_it(org, mine, login):
    client = login(org.sales_a)
    with time_machine.travel(NOW, tick=False):
        response = _post_visit(client, mine, photos=[png()])
        assert response.status_code == 302
        body = client.get(reverse("customers:detail", args=[mine.pk])).content.decode()
    followup = FollowUp.objects.get()
    assert followup.checkin_at == datetime(2026, 3, 10, 14, 57, tzinfo=SH)
    entry = body[body.index('data-testid="checkin"') :]
    entry = entry[: entry.index("</p>")]
    assert "31.23042, 121.47370" in entry and "12" in entry and "2026-03-10 14:57" in entry
    photo = followup.photos.get()
    assert reverse("customers:visit_photo", args=[mine.pk, photo.pk]) in body
    assert "/media/" not in body


def test_the_timeline_says_not_checked_in(org, mine, login):
    client = login(org.sales_a)
    visit(org.sales_a, mine)
    body = client.get(reverse("customers:detail", args=[mine.pk])).content.decode()
    entry = body[body.index('data-testid="checkin"') :]
    assert "status-active" not in entry[: entry.index("</p>")]


def test_photo_served_to_who_may_see_the_customer_only(org, mine, client, login):
    photo = visit(org.sales_a, mine, checkin=FIX, photos=[png()]).photos.get()
    url = reverse("customers:visit_photo", args=[mine.pk, photo.pk])
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/login" in anonymous["Location"]
    for person in (org.sales_a, org.manager_a, org.accountant_a, org.gm):
        response = login(person).get(url)
        assert response.status_code == 200, person
        assert response["Content-Type"] == "image/png"
        assert b"".join(response.streaming_content) == tiny_png()
        assert "private" in response["Cache-Control"]
    for person in (org.sales_b, org.sales_a2, org.manager_b, org.accountant_b):
        assert login(person).get(url).status_code == 404, person
    # Under another customer's address: 404 too.
    other = register(org.sales_a, now=datetime(2026, 1, 6, 9, tzinfo=SH))
    assert (
        login(org.sales_a)
        .get(reverse("customers:visit_photo", args=[other.pk, photo.pk]))
        .status_code
        == 404
    )


def test_photo_of_a_pooled_customer_stays_hidden_from_salespeople(org, mine, login):
    photo = visit(org.sales_a, mine, photos=[png()]).photos.get()
    ownership_transfer(
        actor=org.manager_a,
        customer=mine,
        to_holder=None,
        to_pool="department",
        kind="reclaim",
        reason="测试回收",
        now=NOW,
    )
    url = reverse("customers:visit_photo", args=[mine.pk, photo.pk])
    assert login(org.sales_a2).get(url).status_code == 404  # sees the pool, masked
    assert login(org.manager_a).get(url).status_code == 200


def test_checked_in_share_by_person(org, mine):
    colleague = register(org.sales_a2, now=datetime(2026, 1, 5, 10, tzinfo=SH))
    visit(org.sales_a, mine, checkin=FIX)
    visit(org.sales_a, mine, checkin=FIX)
    visit(org.sales_a, mine)
    visit(org.sales_a, mine, kind="callback")  # not a visit
    visit(org.sales_a2, colleague)
    # Outside the window: last month.
    visit(org.sales_a, mine, now=datetime(2026, 2, 27, 15, tzinfo=SH), checkin=None)
    rows = checked_in_share_by_person(
        org.a, since=datetime(2026, 3, 1, tzinfo=SH), until=datetime(2026, 4, 1, tzinfo=SH)
    )
    by_user = {r["person"].pk: (r["visits"], r["checked_in"], r["share"]) for r in rows}
    assert by_user[org.sales_a.pk] == (3, 2, 67)
    assert by_user[org.sales_a2.pk] == (1, 0, 0)
    assert by_user[org.manager_a.pk] == (0, 0, None)
    assert org.sales_a1.pk not in by_user and org.accountant_a.pk not in by_user
