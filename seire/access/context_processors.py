from seire.access.roles import scope_for


def access(request):
    """`scope` in every template: what the signed-in user may see (empty for the public)."""
    return {"scope": scope_for(getattr(request, "user", None))}
