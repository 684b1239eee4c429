"""In-app notifications (站内通知), e-mailed too when mail is configured. Later capabilities
(reclaim warnings, approvals) call `notify` in their own transactions."""

from datetime import datetime

from django.conf import settings
from django.core.mail import send_mail, send_mass_mail
from django.db import transaction

from .models import Notification


def notify(*, recipient, title: str, now: datetime, body: str = "", link: str = "") -> Notification:
    """Create the notification; the e-mail leaves only if the surrounding transaction commits."""
    notification = Notification.objects.create(
        recipient=recipient, title=title[:200], body=body, link=link, created_at=now
    )
    if settings.NOTIFY_BY_EMAIL and recipient.email:
        transaction.on_commit(
            lambda: send_mail(
                subject=title,
                message=f"{body}\n\n{link}".strip(),
                from_email=None,
                recipient_list=[recipient.email],
                fail_silently=True,
            )
        )
    return notification


def notify_many(*, messages: list[tuple], now: datetime) -> int:
    """Many notifications in one INSERT (a reclaim sweep tells each former holder once).
    `messages`: (recipient, title, body, link) tuples; e-mails leave on commit, in one batch."""
    if not messages:
        return 0
    Notification.objects.bulk_create(
        [
            Notification(
                recipient=recipient, title=title[:200], body=body, link=link, created_at=now
            )
            for recipient, title, body, link in messages
        ],
        batch_size=1000,
    )
    if settings.NOTIFY_BY_EMAIL:
        mails = [
            (title, f"{body}\n\n{link}".strip(), None, [recipient.email])
            for recipient, title, body, link in messages
            if recipient.email
        ]
        if mails:
            transaction.on_commit(lambda: send_mass_mail(mails, fail_silently=True))
    return len(messages)


def notifications_mark_read(*, user, now: datetime, notification_id: int | None = None) -> int:
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_id is not None:
        unread = unread.filter(pk=notification_id)
    return unread.update(read_at=now)


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
