from django.urls import path

from seire.inquiries import views, views_query

app_name = "inquiries"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/files/<int:file_pk>/", views.answer_file, name="file"),
    # The query builder: the form with its preview (htmx swaps the preview), downloads,
    # attaching the table to the answer, and rerunning the stored query on newer data.
    path("<int:pk>/query/", views_query.query_page, name="query"),
    path("<int:pk>/query/export/", views_query.export, name="export"),
    path("<int:pk>/query/attach/", views_query.attach, name="attach"),
    path("<int:pk>/rerun/", views_query.rerun, name="rerun"),
]
