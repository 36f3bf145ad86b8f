from django.urls import path

from seire.feedback.views import inbox, loop, public, staff

app_name = "feedback"

urlpatterns = [
    # Public: no login; the link of a survey, of a unit, and of a one-time invitation.
    path("s/<slug:code>/", public.survey_form, name="survey"),
    path("s/<slug:code>/<str:unit>/", public.survey_form, name="unit_survey"),
    path("i/<str:token>/", public.invitation_form, name="invitation"),
    path("thanks/", public.thanks, name="thanks"),
    path("we-did/<slug:code>/", loop.we_did, name="we_did"),
    # Staff: links, QR posters and texts; one response for the analyst.
    path("links/", staff.links, name="links"),
    path("links/<slug:code>/poster/", staff.poster, name="poster"),
    path("links/<slug:code>/<str:unit>/poster/", staff.poster, name="unit_poster"),
    path("responses/<int:pk>/", staff.response_detail, name="response"),
    # The inbox: owners (their services) and the analyst.
    path("inbox/", inbox.inbox, name="inbox"),
    path("items/<int:pk>/", inbox.item_detail, name="item"),
    path("items/<int:pk>/original/", inbox.item_original, name="item_original"),
    # Closing the loop.
    path("loop/", loop.loop_metrics, name="loop"),
    path("coder/", loop.coder, name="coder"),
    path("we-did/<slug:code>/curate/", loop.curate, name="curate"),
]
