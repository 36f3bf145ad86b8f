"""Sign-ins and sign-outs are audit events too."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from seire.access.audit import record


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    record(user, "login", user, summary=user.get_username())


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        record(user, "logout", user, summary=user.get_username())


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    # Only the username is kept, never the password tried.
    record(None, "login_failed", summary=str(credentials.get("username", ""))[:150])
