"""In-app notifications (站内通知), sent on by e-mail, WeCom or DingTalk when configured
(crm/channels). Later capabilities (reclaim warnings, approvals) call `notify` in their own
transactions."""

from datetime import datetime

from django.db import connection

from .channels.delivery import PERSONAL, channel_config, channels_on, deliveries_plan
from .models import Notification


def notify(*, recipient, title: str, now: datetime, body: str = "", link: str = "") -> Notification:
    """Create the notification; e-mail and work messages leave only if the surrounding
    transaction commits."""
    notification = Notification.objects.create(
        recipient=recipient, title=title[:200], body=body, link=link, created_at=now
    )
    # E-mail, WeCom, DingTalk (crm/channels): queued here, sent by Celery after commit.
    deliveries_plan(notifications=[notification], now=now)
    return notification


def notify_many(*, messages: list[tuple], now: datetime) -> int:
    """Many notifications in one INSERT (a reclaim sweep tells each former holder once).
    `messages`: (recipient, title, body, link) tuples, the recipient a user or a user's id (a
    sweep telling 10,000 people need not load them); outside channels are queued on commit."""
    if not messages:
        return 0
    if connection.vendor == "postgresql":
        _insert_many(messages, now)
        return len(messages)
    created = Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=getattr(recipient, "pk", recipient),
                title=title[:200],
                body=body,
                link=link,
                created_at=now,
            )
            for recipient, title, body, link in messages
        ],
        batch_size=1000,
    )
    deliveries_plan(notifications=created, now=now)
    return len(messages)


def _insert_many(messages: list[tuple], now: datetime) -> None:
    """`notify_many` on PostgreSQL: one INSERT … SELECT FROM UNNEST of four arrays, no model
    instance per row (a reclaim sweep tells some 10,000 people: the ORM's bulk_create spent
    half a second building and adapting them, issue 19). Rows for the outside channels are
    built only when a channel is on."""
    recipients, titles, bodies, links = [], [], [], []
    for recipient, title, body, link in messages:
        recipients.append(getattr(recipient, "pk", recipient))
        titles.append(title[:200])
        bodies.append(body)
        links.append(link)
    table = connection.ops.quote_name(Notification._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (recipient_id, title, body, link, created_at) "
            "SELECT m.r, m.t, m.b, m.l, %s FROM UNNEST(%s::bigint[], %s::text[], %s::text[], "
            "%s::text[]) WITH ORDINALITY AS m(r, t, b, l, n) ORDER BY m.n "
            "RETURNING id, recipient_id",
            [now, recipients, titles, bodies, links],
        )
        rows = cursor.fetchall()
    if not any(c in channels_on(channel_config()) for c in PERSONAL):
        return
    # Each row's own (id, recipient): the planner needs nothing else of the notification.
    created = [
        Notification(pk=pk, recipient_id=recipient, created_at=now) for pk, recipient in rows
    ]
    deliveries_plan(notifications=created, now=now)


def notifications_mark_read(*, user, now: datetime, notification_id: int | None = None) -> int:
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_id is not None:
        unread = unread.filter(pk=notification_id)
    return unread.update(read_at=now)


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
