"""Work messaging (SPEC §9): notifications leave the in-app centre by e-mail, a WeCom (企业微信)
application message or DingTalk (钉钉) work notification, and company broadcasts go to a WeCom or
DingTalk group robot.

- `wecom.py`, `dingtalk.py`, `email.py`: one client per vendor endpoint, speaking HTTP (httpx) as
  the vendor documents it; access tokens are cached in Django's cache until shortly before they
  expire and fetched again once when the vendor says a token is stale.
- `delivery.py`: the services. A `NotificationDelivery` row is written with the notification, in
  the same transaction; Celery sends it after commit (`crm.tasks.deliver_notifications`), a
  failure is recorded and tried again with backoff (`crm.tasks.retry_deliveries`, every minute).
"""

from __future__ import annotations

import httpx
from django.conf import settings

from ..roles import register_gm_permissions

# The general manager keeps the configuration and everybody's WeCom/DingTalk identity in the
# admin (系统管理).
register_gm_permissions(
    [
        "crm.view_channelconfig",
        "crm.add_channelconfig",
        "crm.change_channelconfig",
        "crm.view_channelpreference",
        "crm.add_channelpreference",
        "crm.change_channelpreference",
        "crm.view_notificationdelivery",
    ]
)


class ChannelError(Exception):
    """A send that did not happen. `retryable`: worth trying again later (the vendor is busy or
    rate-limits, the network failed); otherwise the configuration or the address is wrong and
    only a person can fix it. `retry_after`: seconds the vendor or our own limiter asks for."""

    def __init__(self, message: str, *, retryable: bool, retry_after: int | None = None):
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after


def mask(secret: str) -> str:
    """A secret as pages and the admin show it: enough to recognise it, never to use it."""
    if not secret:
        return ""
    if len(secret) <= 8:
        return "•" * len(secret)
    return "•" * 6 + secret[-4:]


def http_client() -> httpx.Client:
    """One HTTP client per send: no connection outlives a task, no proxy from the environment
    leaks in (tests talk to 127.0.0.1)."""
    return httpx.Client(timeout=settings.CHANNEL_HTTP_TIMEOUT, trust_env=False)


def call_json(client: httpx.Client, method: str, url: str, *, json=None) -> dict:
    """One request; the vendor's JSON answer. Network failures and 5xx are worth retrying; a
    non-JSON answer is not (the address is wrong)."""
    try:
        response = client.request(method, url, json=json)
    except httpx.HTTPError as exc:
        raise ChannelError(f"network: {exc.__class__.__name__}: {exc}", retryable=True) from exc
    if response.status_code == 429 or response.status_code >= 500:
        raise ChannelError(f"HTTP {response.status_code}", retryable=True)
    try:
        data = response.json()
    except ValueError as exc:
        raise ChannelError(
            f"HTTP {response.status_code}: not a JSON answer", retryable=False
        ) from exc
    if not isinstance(data, dict):
        raise ChannelError(f"HTTP {response.status_code}: unexpected answer", retryable=False)
    return data


def rate_limit(*, key: str, per_minute: int, now) -> None:
    """Refuse (retryably, until the next minute) the `per_minute`+1-th send in one clock minute
    under `key`: a group robot takes 20 messages a minute and mutes itself for ten minutes
    after more (WeCom and DingTalk robot documentation)."""
    from django.core.cache import cache

    minute = now.replace(second=0, microsecond=0)
    bucket = f"channels:rate:{key}:{minute:%Y%m%d%H%M}"
    cache.add(bucket, 0, timeout=120)
    if cache.incr(bucket) > per_minute:
        raise ChannelError(
            "rate limit: too many messages this minute",
            retryable=True,
            retry_after=60 - now.second,
        )
