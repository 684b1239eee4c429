"""Login rules: a person whose departure has taken effect cannot log in (002 §3.3)."""

from django.contrib.auth.backends import ModelBackend
from django.utils import timezone

from .models import User


def user_has_left(user, *, now) -> bool:
    staff = getattr(user, "staff", None)
    return bool(staff and staff.has_left(now=now))


class StaffAuthBackend(ModelBackend):
    def user_can_authenticate(self, user) -> bool:
        if not super().user_can_authenticate(user):
            return False
        return not user_has_left(user, now=timezone.now())

    def get_user(self, user_id):
        # Runs on every request: a session of someone whose departure has just taken effect
        # turns anonymous here. The profile comes with the user so role checks and navigation
        # cost no extra query.
        try:
            user = User._default_manager.select_related("staff", "staff__department").get(
                pk=user_id
            )
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
