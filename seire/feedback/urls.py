from django.urls import path

from seire.feedback.views import public, staff

app_name = "feedback"

urlpatterns = [
    # Public: no login; the link of a survey, of a unit, and of a one-time invitation.
    path("s/<slug:code>/", public.survey_form, name="survey"),
    path("s/<slug:code>/<str:unit>/", public.survey_form, name="unit_survey"),
    path("i/<str:token>/", public.invitation_form, name="invitation"),
    path("thanks/", public.thanks, name="thanks"),
    # Staff: links, QR posters and texts; one response for the analyst.
    path("links/", staff.links, name="links"),
    path("links/<slug:code>/poster/", staff.poster, name="poster"),
    path("links/<slug:code>/<str:unit>/poster/", staff.poster, name="unit_poster"),
    path("responses/<int:pk>/", staff.response_detail, name="response"),
]
