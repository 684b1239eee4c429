"""Work messaging (SPEC §9): each vendor client against a local server on 127.0.0.1 that checks
the request as the vendor documents it; deliveries queued with the notification, sent after
commit, retried with backoff; preferences; the GM's channel page."""

import base64
import hashlib
import hmac
import json
import threading
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from crm.channels import ChannelError
from crm.channels.delivery import (
    broadcast,
    channel_preference_save,
    deliveries_retry_due,
    deliveries_send,
)
from crm.channels.dingtalk import DingTalkRobot
from crm.models import ChannelConfig, Notification, NotificationDelivery
from crm.notifications import notify, notify_many

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 4, 15, 10, 0, tzinfo=SH)
S = NotificationDelivery.Status
C = NotificationDelivery.Channel

CORPID, CORPSECRET, AGENTID = "ww1234567890", "wecom-secret-abcdef", 1000002
APPKEY, APPSECRET, DING_AGENT = "dingappkey", "ding-app-secret-xyz", 2918000001
ROBOT_KEY = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
DING_ROBOT_TOKEN, DING_ROBOT_SECRET = "robot-token-1", "SECabc123secret"


class Vendor:
    """The WeCom and DingTalk servers, scripted per test: `script[path]` is a list of answers
    (errcode or HTTP status) used one per call before answering success; every request is kept
    in `calls` as (path, query, json body)."""

    def __init__(self):
        self.calls = []
        self.script = {}
        self.tokens = {"wecom": [], "dingtalk": []}
        self.errors = []  # requests that did not match the documentation

    def next_scripted(self, path):
        queue = self.script.get(path) or []
        return queue.pop(0) if queue else None

    def handle(self, method, path, query, body):
        self.calls.append((path, query, body))
        scripted = self.next_scripted(path)
        if scripted in (500, 502, 503):  # an HTTP status, not an errcode
            return scripted, {"errmsg": "server error"}
        if scripted is not None:
            return 200, {"errcode": scripted, "errmsg": "scripted"}
        if path == "/cgi-bin/gettoken":
            self.expect(method == "GET", "gettoken is a GET")
            self.expect(query == {"corpid": [CORPID], "corpsecret": [CORPSECRET]}, query)
            token = f"wecom-token-{len(self.tokens['wecom']) + 1}"
            self.tokens["wecom"].append(token)
            return 200, {"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": 7200}
        if path == "/cgi-bin/message/send":
            self.expect(query == {"access_token": [self.tokens["wecom"][-1]]}, query)
            self.expect(
                set(body) == {"touser", "msgtype", "agentid", "text"}
                and body["msgtype"] == "text"
                and body["agentid"] == AGENTID
                and isinstance(body["text"]["content"], str),
                body,
            )
            return 200, {"errcode": 0, "errmsg": "ok", "invaliduser": "", "msgid": "m1"}
        if path == "/cgi-bin/webhook/send":
            self.expect(query == {"key": [ROBOT_KEY]}, query)
            self.expect(body["msgtype"] == "text" and "content" in body["text"], body)
            return 200, {"errcode": 0, "errmsg": "ok"}
        if path == "/gettoken":
            self.expect(method == "GET", "gettoken is a GET")
            self.expect(query == {"appkey": [APPKEY], "appsecret": [APPSECRET]}, query)
            token = f"ding-token-{len(self.tokens['dingtalk']) + 1}"
            self.tokens["dingtalk"].append(token)
            return 200, {"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": 7200}
        if path == "/topapi/message/corpconversation/asyncsend_v2":
            self.expect(query == {"access_token": [self.tokens["dingtalk"][-1]]}, query)
            self.expect(
                body["agent_id"] == DING_AGENT
                and isinstance(body["userid_list"], str)
                and body["msg"]["msgtype"] == "text",
                body,
            )
            return 200, {"errcode": 0, "errmsg": "ok", "task_id": 1, "request_id": "r"}
        if path == "/robot/send":
            self.expect(set(query) == {"access_token", "timestamp", "sign"}, query)
            timestamp = query["timestamp"][0]
            expected = base64.b64encode(
                hmac.new(
                    DING_ROBOT_SECRET.encode(),
                    f"{timestamp}\n{DING_ROBOT_SECRET}".encode(),
                    hashlib.sha256,
                ).digest()
            ).decode()
            if query["access_token"] != [DING_ROBOT_TOKEN] or query["sign"] != [expected]:
                return 200, {"errcode": 310000, "errmsg": "sign not match"}
            return 200, {"errcode": 0, "errmsg": "ok"}
        return 404, {"errmsg": "no such endpoint"}

    def expect(self, ok, what):
        if not ok:
            self.errors.append(what)

    def paths(self):
        return [path for path, _query, _body in self.calls]


@pytest.fixture
def vendor(settings):
    state = Vendor()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self, method):
            url = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            body = None
            if raw:
                if self.headers.get("Content-Type", "").split(";")[0] != "application/json":
                    state.errors.append("body is not JSON")
                body = json.loads(raw)
            status, answer = state.handle(method, url.path, parse_qs(url.query), body)
            payload = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def do_GET(self):  # noqa: N802
            self._answer("GET")

        def do_POST(self):  # noqa: N802
            self._answer("POST")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    settings.WECOM_API_BASE = base
    settings.DINGTALK_API_BASE = base
    cache.clear()  # tokens and rate counters of other tests
    yield state
    server.shutdown()
    server.server_close()
    cache.clear()
    assert state.errors == []


@pytest.fixture
def config(db):
    return ChannelConfig.objects.create(
        pk=1,
        wecom_enabled=True,
        wecom_corpid=CORPID,
        wecom_secret=CORPSECRET,
        wecom_agentid=AGENTID,
        wecom_robot_enabled=True,
        wecom_robot_key=ROBOT_KEY,
        dingtalk_enabled=True,
        dingtalk_appkey=APPKEY,
        dingtalk_appsecret=APPSECRET,
        dingtalk_agent_id=DING_AGENT,
        dingtalk_robot_enabled=True,
        dingtalk_robot_token=DING_ROBOT_TOKEN,
        dingtalk_robot_secret=DING_ROBOT_SECRET,
    )


def reachable(user, **kw):
    values = {"wecom_userid": f"wx_{user.username}", "dingtalk_userid": f"dd_{user.username}"}
    values.update(kw)
    return channel_preference_save(user=user, now=NOW, **values)


def only(channel):
    return NotificationDelivery.objects.get(channel=channel)


# --- queued with the notification, sent after commit --------------------------------------------


def test_notify_queues_deliveries_and_sends_only_after_commit(
    org, config, vendor, django_capture_on_commit_callbacks
):
    reachable(org.sales_a)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(recipient=org.sales_a, title="客户即将回收", body="请跟进", now=NOW)
    assert {d.channel for d in NotificationDelivery.objects.all()} == {C.WECOM, C.DINGTALK}
    assert vendor.calls == []  # nothing left in the "request"
    assert len(callbacks) == 1
    callbacks[0]()  # the commit: the task (eager in tests) sends
    assert set(NotificationDelivery.objects.values_list("status", flat=True)) == {S.SENT}
    assert vendor.paths() == [
        "/cgi-bin/gettoken",
        "/cgi-bin/message/send",
        "/gettoken",
        "/topapi/message/corpconversation/asyncsend_v2",
    ]
    wecom_body = vendor.calls[1][2]
    assert wecom_body["touser"] == "wx_sales_a"
    assert wecom_body["text"]["content"].startswith("客户即将回收\n请跟进")
    assert vendor.calls[3][2]["userid_list"] == "dd_sales_a"


def test_a_rolled_back_notification_queues_nothing(org, config, vendor):
    from django.db import transaction

    reachable(org.sales_a)
    with pytest.raises(RuntimeError), transaction.atomic():
        notify(recipient=org.sales_a, title="x", now=NOW)
        raise RuntimeError
    assert NotificationDelivery.objects.count() == 0 and vendor.calls == []


def test_person_without_wecom_id_gets_no_wecom_delivery(org, config, vendor):
    reachable(org.sales_a, wecom_userid="")
    reachable(org.sales_b, wants_dingtalk=False)
    notify_many(
        messages=[
            (org.sales_a, "a", "", ""),
            (org.sales_b, "b", "", ""),
            (org.sales_a2, "c", "", ""),
        ],
        now=NOW,
    )
    got = sorted(NotificationDelivery.objects.values_list("address", "channel"))
    assert got == [("dd_sales_a", C.DINGTALK), ("wx_sales_b", C.WECOM)]


def test_nothing_is_queued_when_every_channel_is_off(org, vendor):
    reachable(org.sales_a)
    notify(recipient=org.sales_a, title="x", now=NOW)
    assert NotificationDelivery.objects.count() == 0
    assert Notification.objects.count() == 1


def test_email_is_a_delivery_sent_by_the_task(
    org, vendor, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFY_BY_EMAIL = True
    org.sales_a.email = "a@example.com"
    org.sales_a.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipient=org.sales_a, title="标题", body="内容", link="/x/", now=NOW)
    assert [(m.to, m.subject, m.body) for m in mail.outbox] == [
        (["a@example.com"], "标题", "内容\n\n/x/")
    ]
    assert only(C.EMAIL).status == S.SENT
    reachable(org.sales_a, wants_email=False)
    notify(recipient=org.sales_a, title="again", now=NOW)
    assert NotificationDelivery.objects.count() == 1


# --- tokens ---------------------------------------------------------------------------------


def test_token_is_cached_two_sends_one_gettoken(org, config, vendor):
    reachable(org.sales_a)
    notify_many(messages=[(org.sales_a, "1", "", ""), (org.sales_a, "2", "", "")], now=NOW)
    deliveries_send(ids=list(NotificationDelivery.objects.values_list("id", flat=True)), now=NOW)
    assert vendor.paths().count("/cgi-bin/gettoken") == 1
    assert vendor.paths().count("/gettoken") == 1
    assert vendor.paths().count("/cgi-bin/message/send") == 2


@pytest.mark.parametrize(
    "channel,send_path,token_path,expired",
    [
        (C.WECOM, "/cgi-bin/message/send", "/cgi-bin/gettoken", 42001),
        (C.WECOM, "/cgi-bin/message/send", "/cgi-bin/gettoken", 40014),
        (C.DINGTALK, "/topapi/message/corpconversation/asyncsend_v2", "/gettoken", 88),
        (C.DINGTALK, "/topapi/message/corpconversation/asyncsend_v2", "/gettoken", 42001),
    ],
)
def test_token_expiring_mid_send_is_refetched_and_the_message_resent_once(
    org, config, vendor, channel, send_path, token_path, expired
):
    reachable(org.sales_a)
    notify(recipient=org.sales_a, title="first", now=NOW)
    deliveries_send(ids=list(NotificationDelivery.objects.values_list("id", flat=True)), now=NOW)
    NotificationDelivery.objects.all().delete()
    vendor.calls.clear()
    # The cached token expires on the vendor's side before our cache forgets it.
    vendor.script[send_path] = [expired]
    notify(recipient=org.sales_a, title="second", now=NOW)
    deliveries_send(ids=[only(channel).pk], now=NOW)
    assert vendor.paths() == [send_path, token_path, send_path], only(channel).last_error
    assert only(channel).status == S.SENT and only(channel).attempts == 1
    assert vendor.calls[2][1]["access_token"] == [vendor.tokens[str(channel)][-1]]
    assert vendor.tokens[str(channel)][-1].endswith("-2")


def test_a_token_refused_twice_is_not_an_endless_loop(org, config, vendor):
    reachable(org.sales_a, dingtalk_userid="")
    vendor.script["/cgi-bin/message/send"] = [42001, 42001]
    notify(recipient=org.sales_a, title="x", now=NOW)
    deliveries_send(ids=[only(C.WECOM).pk], now=NOW)
    assert vendor.paths().count("/cgi-bin/message/send") == 2
    assert only(C.WECOM).status == S.FAILED and "42001" in only(C.WECOM).last_error


# --- vendor errors and retries ------------------------------------------------------------------


@pytest.mark.parametrize("answer", [45009, -1, 500])
def test_vendor_error_keeps_the_delivery_pending_and_the_sweep_sends_it_later(
    org, config, vendor, answer
):
    reachable(org.sales_a, dingtalk_userid="")
    vendor.script["/cgi-bin/message/send"] = [answer]
    notify(recipient=org.sales_a, title="回收预警", now=NOW)
    delivery = only(C.WECOM)
    deliveries_send(ids=[delivery.pk], now=NOW)
    delivery.refresh_from_db()
    assert delivery.status == S.PENDING and delivery.attempts == 1
    assert delivery.next_attempt_at == NOW + timedelta(minutes=1)
    assert str(answer) in delivery.last_error
    assert Notification.objects.filter(title="回收预警").exists()  # the in-app notice stays
    # Not due yet: the sweep leaves it.
    assert deliveries_retry_due(now=NOW + timedelta(seconds=30))["sent"] == 0
    assert deliveries_retry_due(now=NOW + timedelta(minutes=1))["sent"] == 1
    delivery.refresh_from_db()
    assert delivery.status == S.SENT and delivery.attempts == 2 and delivery.last_error == ""


def test_backoff_grows_and_the_fifth_failure_gives_up(org, config, vendor):
    reachable(org.sales_a, dingtalk_userid="")
    vendor.script["/cgi-bin/message/send"] = [45009] * 5
    notify(recipient=org.sales_a, title="x", now=NOW)
    delivery = only(C.WECOM)
    at, waits = NOW, []
    for _ in range(5):
        deliveries_send(ids=[delivery.pk], now=at)
        delivery.refresh_from_db()
        if delivery.next_attempt_at:
            waits.append(delivery.next_attempt_at - at)
            at = delivery.next_attempt_at
    assert waits == [timedelta(minutes=m) for m in (1, 5, 25, 125)]
    assert delivery.status == S.FAILED and delivery.attempts == 5


def test_a_wrong_userid_fails_at_once(org, config, vendor):
    reachable(org.sales_a, dingtalk_userid="")
    vendor.script["/cgi-bin/message/send"] = [40003]  # invalid userid: a person must fix it
    notify(recipient=org.sales_a, title="x", now=NOW)
    deliveries_send(ids=[only(C.WECOM).pk], now=NOW)
    assert only(C.WECOM).status == S.FAILED


def test_a_delivery_is_sent_once_even_if_the_task_and_the_sweep_both_run(org, config, vendor):
    reachable(org.sales_a, dingtalk_userid="")
    notify(recipient=org.sales_a, title="x", now=NOW)
    ids = [only(C.WECOM).pk]
    deliveries_send(ids=ids, now=NOW)
    deliveries_send(ids=ids, now=NOW)
    deliveries_retry_due(now=NOW + timedelta(hours=1))
    assert vendor.paths().count("/cgi-bin/message/send") == 1


def test_the_sweep_sends_a_delivery_whose_enqueue_was_lost(org, config, vendor):
    reachable(org.sales_a, dingtalk_userid="")
    notify(recipient=org.sales_a, title="x", now=NOW)  # its on-commit callback never ran
    assert deliveries_retry_due(now=NOW + timedelta(seconds=10))["sent"] == 0
    assert deliveries_retry_due(now=NOW + timedelta(minutes=2))["sent"] == 1


# --- group robots -----------------------------------------------------------------------------


def test_broadcast_goes_to_both_robots_signed(org, config, vendor):
    now = datetime.now(tz=SH)  # the robot signs with the real time
    rows = broadcast(title="公告", body="本周六加班", now=now)
    deliveries_send(ids=[r.pk for r in rows], now=now)
    assert set(NotificationDelivery.objects.values_list("status", flat=True)) == {S.SENT}
    robot = next(c for c in vendor.calls if c[0] == "/robot/send")
    assert robot[1]["timestamp"] == [str(int(now.timestamp() * 1000))]
    assert robot[2] == {"msgtype": "text", "text": {"content": "公告\n本周六加班"}}
    wecom = next(c for c in vendor.calls if c[0] == "/cgi-bin/webhook/send")
    assert wecom[2] == {"msgtype": "text", "text": {"content": "公告\n本周六加班"}}


def test_dingtalk_robot_rejects_a_bad_sign(vendor):
    robot = DingTalkRobot(access_token=DING_ROBOT_TOKEN, secret="SECwrong")
    with pytest.raises(ChannelError) as refused:
        robot.send_text(content="x", now=NOW)
    assert "310000" in str(refused.value) and not refused.value.retryable


def test_robot_rate_limit_holds_the_21st_message_of_a_minute(org, config, vendor):
    config.dingtalk_robot_enabled = False
    config.save()
    rows = [broadcast(title=f"n{i}", body="", now=NOW)[0] for i in range(21)]
    counts = deliveries_send(ids=[r.pk for r in rows], now=NOW)
    assert counts == {"sent": 20, "failed": 0, "retry": 1}
    held = NotificationDelivery.objects.get(pk=rows[-1].pk)
    assert held.next_attempt_at == NOW + timedelta(minutes=1) and "rate limit" in held.last_error


def test_person_notifications_never_go_to_a_group_robot(org, config, vendor):
    reachable(org.sales_a)
    notify(recipient=org.sales_a, title="x", now=NOW)
    assert not NotificationDelivery.objects.filter(channel__in=[C.WECOM_ROBOT, C.DINGTALK_ROBOT])


# --- pages ----------------------------------------------------------------------------------


def test_gm_page_shows_state_masked_secrets_and_deliveries(org, config, login):
    page = login(org.gm).get(reverse("crm:channels")).content.decode()
    assert CORPID in page and CORPSECRET not in page and "••••••" in page
    assert DING_ROBOT_SECRET not in page and ROBOT_KEY not in page
    for user in (org.manager_a, org.sales_a, org.accountant_a):
        assert login(user).get(reverse("crm:channels")).status_code == 404
        assert (
            login(user).post(reverse("crm:channel_test"), {"channel": "wecom"}).status_code == 404
        )


def test_test_button_queues_on_commit_and_sends_to_the_gms_own_identity(
    org, config, vendor, login, django_capture_on_commit_callbacks
):
    reachable(org.gm)
    client = login(org.gm)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("crm:channel_test"), {"channel": "wecom"})
    assert response.status_code == 302
    assert vendor.calls == [] and len(callbacks) == 1  # not sent in the request
    callbacks[0]()
    delivery = only(C.WECOM)
    assert delivery.address == "wx_gm" and delivery.status == S.SENT
    page = client.get(reverse("crm:channels")).content.decode()
    assert 'data-status="sent"' in page


def test_test_button_refuses_a_channel_that_is_off_or_unreachable(org, config, login):
    config.wecom_robot_enabled = False
    config.save()
    client = login(org.gm)
    response = client.post(reverse("crm:channel_test"), {"channel": "wecom_robot"}, follow=True)
    assert NotificationDelivery.objects.count() == 0
    assert response.status_code == 200
    client.post(reverse("crm:channel_test"), {"channel": "dingtalk"})  # the GM has no userid
    assert NotificationDelivery.objects.count() == 0


def test_everyone_sets_their_own_preferences(org, login):
    client = login(org.sales_a)
    assert client.get(reverse("crm:channel_preferences")).status_code == 200
    response = client.post(
        reverse("crm:channel_preferences"),
        {"wants_email": "on", "wants_wecom": "on", "wecom_userid": "zhangsan"},
    )
    assert response.status_code == 302
    pref = org.sales_a.channel_preference
    assert pref.wecom_userid == "zhangsan" and pref.wants_dingtalk is False


def test_admin_keeps_a_secret_left_empty_and_never_shows_it(org, config, login):
    client = login(org.gm)
    url = reverse("admin:crm_channelconfig_change", args=[1])
    page = client.get(url)
    assert page.status_code == 200 and CORPSECRET not in page.content.decode()
    data = {
        "email_enabled": "on",
        "wecom_enabled": "on",
        "wecom_corpid": CORPID,
        "wecom_agentid": str(AGENTID),
        "wecom_secret": "",
        "wecom_robot_key": "",
        "dingtalk_appkey": "",
        "dingtalk_appsecret": "",
        "dingtalk_robot_token": "",
        "dingtalk_robot_secret": "",
    }
    assert client.post(url, data).status_code == 302
    config.refresh_from_db()
    assert config.wecom_secret == CORPSECRET and config.dingtalk_enabled is False
