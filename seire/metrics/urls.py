from django.urls import path

from seire.metrics import views_docs as docs
from seire.metrics import views_exports as exports
from seire.metrics import views_proposals as proposals
from seire.metrics import views_scorecard as scorecard

app_name = "metrics"

urlpatterns = [
    # Change proposals (first, so "proposals/" is never read as a metric code).
    path("proposals/", proposals.proposal_list, name="proposal_list"),
    path("proposals/<int:pk>/", proposals.proposal_detail, name="proposal"),
    path("proposals/<int:pk>/accept/", proposals.accept, name="proposal_accept"),
    path("proposals/<int:pk>/reject/", proposals.reject, name="proposal_reject"),
    path("<slug:code>/proposals/", proposals.metric_proposals, name="metric_proposals"),
    path("<slug:code>/proposals/new/", proposals.propose, name="propose"),
    path("<slug:code>/history/", proposals.history, name="history"),
    # Passports, the handbook and the data-collection guides (each also as a PDF).
    path("handbook/", docs.handbook, name="handbook"),
    path("handbook/pdf/", docs.handbook, {"pdf": True}, name="handbook_pdf"),
    path("<slug:code>/passport/", docs.passport, name="passport"),
    path("<slug:code>/passport/pdf/", docs.passport, {"pdf": True}, name="passport_pdf"),
    path("guides/", docs.guide_list, name="guide_list"),
    path("guides/<slug:code>/", docs.guide, name="guide"),
    path("guides/<slug:code>/pdf/", docs.guide, {"pdf": True}, name="guide_pdf"),
    # Downloads of computed values (the same rows as GET /api/metrics/{code}/values).
    path("<slug:code>/values.csv", exports.values_csv, name="values_csv"),
    path("<slug:code>/values.xlsx", exports.values_xlsx, name="values_xlsx"),
    # Scorecards and overviews. "<slug:code>/" (a metric's page) comes last: a fixed first
    # segment added later belongs above it, or it would be read as a metric code.
    path("scorecard/", scorecard.scorecard_page, name="scorecard"),
    path("overview/<slug:subject>/<str:quarter>/", scorecard.overview, name="overview"),
    path("<slug:code>/", scorecard.metric_page, name="metric"),
]
