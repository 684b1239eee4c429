"""E-mail (the existing channel): sent through Django's mail backend by the delivery task, so
a refused message is recorded and retried like the others."""

from __future__ import annotations

from django.core.mail import send_mail

from . import ChannelError


def send_email(*, address: str, subject: str, message: str) -> None:
    if not address:
        raise ChannelError("no e-mail address", retryable=False)
    try:
        send_mail(
            subject=subject,
            message=message,
            from_email=None,
            recipient_list=[address],
            fail_silently=False,
        )
    except (OSError, ValueError) as exc:  # smtplib's errors are OSErrors
        raise ChannelError(f"mail: {exc}", retryable=True) from exc
