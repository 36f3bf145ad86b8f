"""The JSON API (django-ninja): OpenAPI schema at /api/openapi.json, docs at /api/docs."""

from django.core.exceptions import PermissionDenied
from ninja import NinjaAPI
from ninja.security import SessionAuth

from seire.access.roles import scope_for
from seire.collection.api import router as collection_router
from seire.feedback.api import router as feedback_router
from seire.metrics.api import router as metrics_router
from seire.organisation.api import router as organisation_router
from seire.publishing.api import router as public_releases_router


class StaffSessionAuth(SessionAuth):
    """A signed-in staff member with at least one current responsibility (else 401)."""

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        return user if user is not None and scope_for(user).is_staff_member else None


api = NinjaAPI(
    title="Seire API",
    version="1",
    description="Seire, the quality and monitoring system of victim support.",
    auth=StaffSessionAuth(),
    urls_namespace="api",
    docs_url="/docs",
)
api.add_router("/organisation", organisation_router)
api.add_router("/collection", collection_router)
api.add_router("/feedback", feedback_router)  # its public POST opts out of the staff auth
api.add_router("/metrics", metrics_router)
api.add_router("/public", public_releases_router)  # no sign-in; embargo answers 404


@api.exception_handler(PermissionDenied)
def permission_denied(request, exc):
    return api.create_response(request, {"detail": "Forbidden"}, status=403)
