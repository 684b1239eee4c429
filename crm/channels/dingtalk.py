"""钉钉 (DingTalk): work notifications (工作通知) from an internal application, with an access
token fetched by AppKey + AppSecret, and messages to a group robot secured by 加签.

Endpoints (open.dingtalk.com, the "oapi" server):
- GET  /gettoken?appkey=K&appsecret=S → {"errcode":0,"access_token","expires_in"}
- POST /topapi/message/corpconversation/asyncsend_v2?access_token=T
       {"agent_id","userid_list":"u1,u2","msg":{"msgtype":"text","text":{"content"}}}
- POST /robot/send?access_token=T&timestamp=MS&sign=SIGN {"msgtype":"text","text":{"content"}}
  with sign = urlencode(base64(HMAC-SHA256(key=secret, msg=f"{timestamp}\\n{secret}"))); the
  robot refuses a timestamp more than an hour away from its own clock.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime
from urllib.parse import quote_plus, urlencode

from django.conf import settings
from django.core.cache import cache

from . import ChannelError, call_json, http_client, rate_limit

# 88 / 40014 / 42001: the token is invalid or expired: fetch a new one and send once more.
TOKEN_ERRORS = {88, 40014, 42001}
# -1 system busy, 90018/90002 call frequency limits, 130101 robot sends too fast: try later.
RETRYABLE_ERRORS = {-1, 90002, 90018, 130101}
TOKEN_MARGIN_SECONDS = 300
ROBOT_PER_MINUTE = 20


def _url(path: str, **params) -> str:
    return f"{settings.DINGTALK_API_BASE.rstrip('/')}{path}?{urlencode(params)}"


def _vendor_error(data: dict, what: str) -> ChannelError:
    code = data.get("errcode")
    return ChannelError(
        f"DingTalk {what}: errcode {code} {data.get('errmsg', '')}".strip(),
        retryable=code in RETRYABLE_ERRORS,
    )


def robot_sign(*, timestamp_ms: int, secret: str) -> str:
    """The robot's 加签: base64 of HMAC-SHA256 over "timestamp\\nsecret" keyed by the secret
    (not yet URL-encoded)."""
    digest = hmac.new(
        secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256
    ).digest()
    return base64.b64encode(digest).decode("ascii")


class DingTalkApp:
    """One internal application (企业内部应用) sending work notifications."""

    def __init__(self, *, appkey: str, appsecret: str, agent_id: int):
        if not (appkey and appsecret and agent_id):
            raise ChannelError("DingTalk application is not configured", retryable=False)
        self.appkey, self.appsecret, self.agent_id = appkey, appsecret, agent_id
        digest = hashlib.sha256(appsecret.encode()).hexdigest()[:12]
        self.cache_key = f"channels:dingtalk:token:{appkey}:{digest}"

    def token(self, client, *, fresh: bool = False) -> str:
        if not fresh:
            cached = cache.get(self.cache_key)
            if cached:
                return cached
        data = call_json(
            client, "GET", _url("/gettoken", appkey=self.appkey, appsecret=self.appsecret)
        )
        if data.get("errcode", 0) != 0 or not data.get("access_token"):
            raise _vendor_error(data, "gettoken")
        lifetime = int(data.get("expires_in", 7200)) - TOKEN_MARGIN_SECONDS
        cache.set(self.cache_key, data["access_token"], timeout=max(lifetime, 60))
        return data["access_token"]

    def send_text(self, *, userid_list: str, content: str) -> dict:
        """Send `content` to the userids in `userid_list` ("u1,u2"); a stale token is replaced
        once."""
        body = {
            "agent_id": self.agent_id,
            "userid_list": userid_list,
            "msg": {"msgtype": "text", "text": {"content": content}},
        }
        path = "/topapi/message/corpconversation/asyncsend_v2"
        with http_client() as client:
            token = self.token(client)
            for attempt in (1, 2):
                data = call_json(client, "POST", _url(path, access_token=token), json=body)
                code = data.get("errcode", 0)
                if code == 0:
                    return data
                if code in TOKEN_ERRORS and attempt == 1:
                    cache.delete(self.cache_key)
                    token = self.token(client, fresh=True)
                    continue
                raise _vendor_error(data, "asyncsend_v2")
        raise AssertionError("unreachable")


class DingTalkRobot:
    """A group robot (自定义机器人) with the 加签 security setting."""

    def __init__(self, *, access_token: str, secret: str):
        if not (access_token and secret):
            raise ChannelError("DingTalk group robot is not configured", retryable=False)
        self.access_token, self.secret = access_token, secret

    def send_text(self, *, content: str, now: datetime) -> dict:
        """`now` signs the request: it must be the real time (the robot allows an hour)."""
        rate_limit(
            key="dingtalk_robot:" + hashlib.sha256(self.access_token.encode()).hexdigest()[:12],
            per_minute=ROBOT_PER_MINUTE,
            now=now,
        )
        timestamp = int(now.timestamp() * 1000)
        sign = quote_plus(robot_sign(timestamp_ms=timestamp, secret=self.secret))
        url = (
            f"{settings.DINGTALK_API_BASE.rstrip('/')}/robot/send?"
            f"{urlencode({'access_token': self.access_token, 'timestamp': timestamp})}"
            f"&sign={sign}"
        )
        body = {"msgtype": "text", "text": {"content": content}}
        with http_client() as client:
            data = call_json(client, "POST", url, json=body)
        if data.get("errcode", 0) != 0:
            raise _vendor_error(data, "robot/send")
        return data
