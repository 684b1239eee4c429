"""企业微信 (WeCom): application messages to people (自建应用, with an access token fetched by
CorpID + Secret) and messages to a group robot (群机器人, by its webhook key).

Endpoints (developer.work.weixin.qq.com):
- GET  /cgi-bin/gettoken?corpid=ID&corpsecret=SECRET → {"errcode":0,"access_token","expires_in"}
- POST /cgi-bin/message/send?access_token=TOKEN {"touser","msgtype":"text","agentid","text"}
- POST /cgi-bin/webhook/send?key=KEY {"msgtype":"text","text":{"content"}}
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache

from . import ChannelError, call_json, http_client, rate_limit

# 42001 access_token expired, 40014 invalid access_token, 40001 invalid credential: fetch a new
# token and send once more.
TOKEN_ERRORS = {40001, 40014, 42001}
# -1 system busy, 45009 API frequency limit, 45033 too many concurrent calls: try later.
RETRYABLE_ERRORS = {-1, 45009, 45033}
# A token is dropped from the cache this long before WeCom says it expires.
TOKEN_MARGIN_SECONDS = 300
ROBOT_PER_MINUTE = 20


def _url(path: str, **params) -> str:
    return f"{settings.WECOM_API_BASE.rstrip('/')}{path}?{urlencode(params)}"


def _vendor_error(data: dict, what: str) -> ChannelError:
    code = data.get("errcode")
    return ChannelError(
        f"WeCom {what}: errcode {code} {data.get('errmsg', '')}".strip(),
        retryable=code in RETRYABLE_ERRORS,
    )


class WeComApp:
    """One self-built application (自建应用) of one company."""

    def __init__(self, *, corpid: str, secret: str, agentid: int):
        if not (corpid and secret and agentid):
            raise ChannelError("WeCom application is not configured", retryable=False)
        self.corpid, self.secret, self.agentid = corpid, secret, agentid
        digest = hashlib.sha256(secret.encode()).hexdigest()[:12]
        # Per corp and app: a new Secret never reuses the old one's token.
        self.cache_key = f"channels:wecom:token:{corpid}:{digest}"

    def token(self, client, *, fresh: bool = False) -> str:
        if not fresh:
            cached = cache.get(self.cache_key)
            if cached:
                return cached
        data = call_json(
            client, "GET", _url("/cgi-bin/gettoken", corpid=self.corpid, corpsecret=self.secret)
        )
        if data.get("errcode", 0) != 0 or not data.get("access_token"):
            raise _vendor_error(data, "gettoken")
        lifetime = int(data.get("expires_in", 7200)) - TOKEN_MARGIN_SECONDS
        cache.set(self.cache_key, data["access_token"], timeout=max(lifetime, 60))
        return data["access_token"]

    def send_text(self, *, touser: str, content: str) -> dict:
        """Send `content` to the userids in `touser` ("a|b"); a stale token is replaced once."""
        body = {
            "touser": touser,
            "msgtype": "text",
            "agentid": self.agentid,
            "text": {"content": content},
        }
        with http_client() as client:
            token = self.token(client)
            for attempt in (1, 2):
                data = call_json(
                    client, "POST", _url("/cgi-bin/message/send", access_token=token), json=body
                )
                code = data.get("errcode", 0)
                if code == 0:
                    if data.get("invaliduser"):
                        # Sent to nobody listed: the userid is wrong (a person fixes it).
                        raise ChannelError(
                            f"WeCom: unknown userid {data['invaliduser']}", retryable=False
                        )
                    return data
                if code in TOKEN_ERRORS and attempt == 1:
                    cache.delete(self.cache_key)
                    token = self.token(client, fresh=True)
                    continue
                raise _vendor_error(data, "message/send")
        raise AssertionError("unreachable")


class WeComRobot:
    """A group robot (群机器人): anyone with the key posts to its group chat."""

    def __init__(self, *, key: str):
        if not key:
            raise ChannelError("WeCom group robot is not configured", retryable=False)
        self.key = key

    def send_text(self, *, content: str, now: datetime) -> dict:
        rate_limit(
            key="wecom_robot:" + hashlib.sha256(self.key.encode()).hexdigest()[:12],
            per_minute=ROBOT_PER_MINUTE,
            now=now,
        )
        body = {"msgtype": "text", "text": {"content": content}}
        with http_client() as client:
            data = call_json(client, "POST", _url("/cgi-bin/webhook/send", key=self.key), json=body)
        if data.get("errcode", 0) != 0:
            raise _vendor_error(data, "webhook/send")
        return data
