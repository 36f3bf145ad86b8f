from django.conf import settings

from seire.access.roles import scope_for


def access(request):
    """`scope` in every template: what the signed-in user may see (empty for the public);
    `sso_label`: the single sign-on button's text when OpenID Connect is configured."""
    label = ""
    if settings.SEIRE_OIDC_ENABLED:
        from django.utils.translation import gettext

        label = settings.SEIRE_OIDC_LABEL or gettext("Sign in with single sign-on")
    return {"scope": scope_for(getattr(request, "user", None)), "sso_label": label}
