"""In-app notifications (站内通知), sent on by e-mail, WeCom or DingTalk when configured
(crm/channels). Later capabilities (reclaim warnings, approvals) call `notify` in their own
transactions."""

from datetime import datetime

from .channels.delivery import deliveries_plan
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


def notifications_mark_read(*, user, now: datetime, notification_id: int | None = None) -> int:
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_id is not None:
        unread = unread.filter(pk=notification_id)
    return unread.update(read_at=now)


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
