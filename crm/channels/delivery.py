"""Delivery of notifications to the outside channels (SPEC §9: "sending never blocks a request
and never loses the in-app notice").

- `deliveries_plan` runs inside the transaction that creates the notifications: one
  `NotificationDelivery` per recipient and channel that the company switched on and the person
  wants (and can be reached on: an e-mail address, a WeCom / DingTalk userid). After commit the
  ids go to Celery (`crm.tasks.deliver_notifications`); nothing is sent in the request.
- `deliveries_send` sends each due delivery once. A failure is recorded (`last_error`) and the
  next attempt scheduled 1, 5, 25, 125 minutes later; after `CHANNEL_MAX_ATTEMPTS` attempts, or
  at once when only a person can fix it (a wrong secret or userid), the delivery is failed.
  `deliveries_retry_due` (beat, every minute) sends what is due, and what an enqueue lost.
- Group robots post into a group chat that many people read: person notifications never go
  there (docs/decisions.md). They carry company broadcasts (`broadcast`) and the test message.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from ..models import ChannelConfig, ChannelPreference, Notification, NotificationDelivery, User
from . import ChannelError, mask
from .dingtalk import DingTalkApp, DingTalkRobot
from .email import send_email
from .wecom import WeComApp, WeComRobot

logger = logging.getLogger(__name__)

C = NotificationDelivery.Channel
S = NotificationDelivery.Status
PERSONAL = (C.EMAIL, C.WECOM, C.DINGTALK)
ROBOTS = (C.WECOM_ROBOT, C.DINGTALK_ROBOT)
# While one worker sends a delivery, nobody else may pick it up (see `_claim`).
LEASE = timedelta(minutes=10)
# A delivery never picked up by its on-commit task (the broker was down) is swept after this.
GRACE = timedelta(minutes=1)


def channel_config() -> ChannelConfig:
    """The company's configuration; an unsaved default (only e-mail) before anyone saved one."""
    return ChannelConfig.objects.filter(pk=1).first() or ChannelConfig(pk=1)


def channels_on(config: ChannelConfig) -> set[str]:
    """The channels switched on. E-mail needs the deployment's mail (settings.NOTIFY_BY_EMAIL)
    as well as the GM's switch."""
    on = set()
    if settings.NOTIFY_BY_EMAIL and config.email_enabled:
        on.add(C.EMAIL)
    if config.wecom_enabled:
        on.add(C.WECOM)
    if config.dingtalk_enabled:
        on.add(C.DINGTALK)
    if config.wecom_robot_enabled:
        on.add(C.WECOM_ROBOT)
    if config.dingtalk_robot_enabled:
        on.add(C.DINGTALK_ROBOT)
    return on


def _address(channel: str, user, pref: ChannelPreference) -> str:
    """Where `user` is reached on `channel`, or "" when they are not (no address, or they do
    not want it)."""
    if channel == C.EMAIL:
        return user.email if pref.wants_email else ""
    if channel == C.WECOM:
        return pref.wecom_userid if pref.wants_wecom else ""
    if channel == C.DINGTALK:
        return pref.dingtalk_userid if pref.wants_dingtalk else ""
    return ""


def _enqueue(ids: list[int]) -> None:
    from ..tasks import deliver_notifications

    try:
        deliver_notifications.delay(ids)
    except Exception:  # the broker is down: the minute sweep sends them (GRACE)
        logger.exception("could not queue %d deliveries; the retry sweep will send them", len(ids))


def deliveries_plan(*, notifications: list[Notification], now: datetime) -> list[int]:
    """Queue each notification to its recipient's outside channels (see the module docstring).
    Runs in the caller's transaction; the task is queued only if it commits."""
    channels = [c for c in PERSONAL if c in channels_on(channel_config())]
    if not channels or not notifications:
        return []
    recipient_ids = {n.recipient_id for n in notifications}
    prefs = {p.user_id: p for p in ChannelPreference.objects.filter(user_id__in=recipient_ids)}
    users = User.objects.in_bulk(recipient_ids)  # one query, whether or not they were loaded
    rows = []
    for notification in notifications:
        user = users.get(notification.recipient_id)
        if user is None:
            continue
        pref = prefs.get(user.pk) or ChannelPreference(user=user)
        for channel in channels:
            address = _address(channel, user, pref)
            if address:
                rows.append(
                    NotificationDelivery(
                        notification=notification, channel=channel, address=address, created_at=now
                    )
                )
    if not rows:
        return []
    NotificationDelivery.objects.bulk_create(rows, batch_size=1000)
    ids = [row.pk for row in rows]
    transaction.on_commit(lambda: _enqueue(ids))
    return ids


def broadcast(*, title: str, body: str, now: datetime) -> list[NotificationDelivery]:
    """A company-wide message to every group robot switched on (sent after commit)."""
    on = channels_on(channel_config())
    rows = [
        NotificationDelivery(channel=c, title=title[:200], body=body, created_at=now)
        for c in ROBOTS
        if c in on
    ]
    if rows:
        NotificationDelivery.objects.bulk_create(rows)
        ids = [row.pk for row in rows]
        transaction.on_commit(lambda: _enqueue(ids))
    return rows


def channel_test_queue(*, actor, channel: str, now: datetime) -> NotificationDelivery:
    """系统管理 → 工作消息 → 发送测试消息: a test message to the actor's own identity on a
    person channel, or to the group of a robot. Refused (ChannelError) when the channel is off,
    or the actor cannot be reached on it."""
    if channel not in C.values:
        raise ChannelError(_("Unknown channel."), retryable=False)
    config = channel_config()
    if channel not in channels_on(config):
        raise ChannelError(_("This channel is switched off."), retryable=False)
    address = ""
    if channel in PERSONAL:
        pref = ChannelPreference.objects.filter(user=actor).first() or ChannelPreference(user=actor)
        address = {
            C.EMAIL: actor.email,
            C.WECOM: pref.wecom_userid,
            C.DINGTALK: pref.dingtalk_userid,
        }[channel]
        if not address:
            raise ChannelError(
                _(
                    "You have no address on this channel: enter it under "
                    "“Where my notifications go”."
                ),
                retryable=False,
            )
    delivery = NotificationDelivery.objects.create(
        channel=channel,
        address=address,
        title=_("Test message"),
        body=_("A test of the CRM's work messaging, sent by %(name)s at %(time)s.")
        % {"name": actor.get_full_name() or actor.get_username(), "time": f"{now:%Y-%m-%d %H:%M}"},
        created_at=now,
    )
    transaction.on_commit(lambda: _enqueue([delivery.pk]))
    return delivery


def channel_preference_save(*, user, now: datetime, **values) -> ChannelPreference:
    """A person's (or, in the admin, the GM's) choice of channels and identities."""
    allowed = {"wecom_userid", "dingtalk_userid", "wants_email", "wants_wecom", "wants_dingtalk"}
    unknown = set(values) - allowed
    if unknown:
        raise TypeError(f"unknown preference fields: {sorted(unknown)}")
    pref, _created = ChannelPreference.objects.update_or_create(user=user, defaults=values)
    return pref


# --- sending ---------------------------------------------------------------------------------


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed attempt: 1, 5, 25, 125 … minutes."""
    return timedelta(minutes=5 ** max(attempts - 1, 0))


def _claim(delivery_id: int, now: datetime) -> bool:
    """Take the delivery for this worker: a conditional UPDATE (pending and due) with a checked
    row count, so the on-commit task and the minute sweep never both send it. The lease pushes
    its next attempt out while we send; a crashed worker's delivery is retried after it."""
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    return bool(
        NotificationDelivery.objects.filter(due, pk=delivery_id, status=S.PENDING).update(
            next_attempt_at=now + LEASE
        )
    )


def _text(delivery: NotificationDelivery) -> tuple[str, str]:
    source = delivery.notification or delivery
    body = source.body
    link = getattr(source, "link", "")
    return source.title, f"{body}\n\n{link}".strip()


def _send_one(delivery: NotificationDelivery, config: ChannelConfig, now: datetime) -> None:
    if delivery.channel not in channels_on(config):
        raise ChannelError("the channel has been switched off", retryable=False)
    title, message = _text(delivery)
    content = f"{title}\n{message}".strip()
    channel = delivery.channel
    if channel == C.EMAIL:
        send_email(address=delivery.address, subject=title, message=message)
    elif channel == C.WECOM:
        WeComApp(
            corpid=config.wecom_corpid, secret=config.wecom_secret, agentid=config.wecom_agentid
        ).send_text(touser=delivery.address, content=content)
    elif channel == C.DINGTALK:
        DingTalkApp(
            appkey=config.dingtalk_appkey,
            appsecret=config.dingtalk_appsecret,
            agent_id=config.dingtalk_agent_id,
        ).send_text(userid_list=delivery.address, content=content)
    elif channel == C.WECOM_ROBOT:
        WeComRobot(key=config.wecom_robot_key).send_text(content=content, now=now)
    elif channel == C.DINGTALK_ROBOT:
        DingTalkRobot(
            access_token=config.dingtalk_robot_token, secret=config.dingtalk_robot_secret
        ).send_text(content=content, now=now)
    else:
        raise ChannelError(f"unknown channel {channel}", retryable=False)


def _record_failure(delivery: NotificationDelivery, error: ChannelError, now: datetime) -> None:
    delivery.attempts += 1
    delivery.last_error = str(error)[:500]
    if not error.retryable or delivery.attempts >= settings.CHANNEL_MAX_ATTEMPTS:
        delivery.status = S.FAILED
        delivery.next_attempt_at = None
    else:
        wait = backoff(delivery.attempts)
        if error.retry_after:
            wait = max(wait, timedelta(seconds=error.retry_after))
        delivery.next_attempt_at = now + wait
    delivery.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])


def deliveries_send(*, ids: list[int], now: datetime) -> dict[str, int]:
    """Send the due pending deliveries among `ids`; returns how many were sent / failed /
    left for a later attempt. Each delivery stands alone: one failing never stops the next."""
    config = channel_config()
    counts = {"sent": 0, "failed": 0, "retry": 0}
    for delivery_id in ids:
        if not _claim(delivery_id, now):
            continue
        delivery = NotificationDelivery.objects.select_related("notification").get(pk=delivery_id)
        try:
            _send_one(delivery, config, now)
        except ChannelError as exc:
            _record_failure(delivery, exc, now)
        except Exception as exc:  # a bug must not block the queue: recorded, tried again
            logger.exception("delivery %s failed unexpectedly", delivery_id)
            _record_failure(delivery, ChannelError(repr(exc), retryable=True), now)
        else:
            delivery.attempts += 1
            delivery.status = S.SENT
            delivery.sent_at = now
            delivery.next_attempt_at = None
            delivery.last_error = ""
            delivery.save(
                update_fields=["attempts", "status", "sent_at", "next_attempt_at", "last_error"]
            )
            counts["sent"] += 1
            continue
        counts["failed" if delivery.status == S.FAILED else "retry"] += 1
    return counts


def deliveries_retry_due(*, now: datetime, limit: int = 500) -> dict[str, int]:
    """The minute sweep: every pending delivery whose next attempt is due, and any never
    picked up (queued more than GRACE ago without an attempt)."""
    due = Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True, created_at__lte=now - GRACE)
    ids = list(
        NotificationDelivery.objects.filter(due, status=S.PENDING)
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )
    return deliveries_send(ids=ids, now=now)


# --- reads for the configuration page -----------------------------------------------------------


def channel_states(config: ChannelConfig) -> list[dict]:
    """Each channel: switched on, configured, and what the page may show of its settings."""
    on = channels_on(config)
    rows = [
        (C.EMAIL, bool(settings.NOTIFY_BY_EMAIL), [(_("Mail"), settings.EMAIL_BACKEND)]),
        (
            C.WECOM,
            bool(config.wecom_corpid and config.wecom_secret and config.wecom_agentid),
            [
                ("CorpID", config.wecom_corpid),
                ("AgentId", config.wecom_agentid or ""),
                ("Secret", mask(config.wecom_secret)),
            ],
        ),
        (C.WECOM_ROBOT, bool(config.wecom_robot_key), [("Key", mask(config.wecom_robot_key))]),
        (
            C.DINGTALK,
            bool(config.dingtalk_appkey and config.dingtalk_appsecret and config.dingtalk_agent_id),
            [
                ("AppKey", config.dingtalk_appkey),
                ("AgentId", config.dingtalk_agent_id or ""),
                ("AppSecret", mask(config.dingtalk_appsecret)),
            ],
        ),
        (
            C.DINGTALK_ROBOT,
            bool(config.dingtalk_robot_token and config.dingtalk_robot_secret),
            [
                ("access_token", mask(config.dingtalk_robot_token)),
                (_("Signing secret"), mask(config.dingtalk_robot_secret)),
            ],
        ),
    ]
    return [
        {
            "channel": channel,
            "label": C(channel).label,
            "is_on": channel in on,
            "is_configured": configured,
            "facts": facts,
        }
        for channel, configured, facts in rows
    ]


def deliveries_recent(limit: int = 50):
    return NotificationDelivery.objects.select_related("notification__recipient").order_by("-id")[
        :limit
    ]
