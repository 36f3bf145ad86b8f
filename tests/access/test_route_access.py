"""Every URL pattern × every persona: who may open what.

The table below is the access policy. The test walks Django's URL resolver and the
OpenAPI schema, so a new route without a row here fails `test_it_has_an_expectation_for_
every_route` — access is decided when a route is added, not later.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from seire.api import api
from tests.evaluation.data import vs_plan_pk, wsc_plan_pk
from tests.inquiries.builders import an_answer_file, an_inquiry
from tests.publishing.builders import a_public_release, an_embargoed_release

PERSONAS = [
    "anonymous",
    "provider_a",
    "provider_b",
    "owner_x",
    "owner_y",
    "manager",
    "analyst",
    "no_role",
]
STAFF = {"provider_a", "provider_b", "owner_x", "owner_y", "manager", "analyst"}
LOGIN = "login_redirect"  # 302 to the login page


def everyone(status):
    return dict.fromkeys(PERSONAS, status)


def staff_only(ok=200, **overrides):
    table = {p: (ok if p in STAFF else 403) for p in PERSONAS}
    table["anonymous"] = LOGIN
    table.update(overrides)
    return table


def api_staff(ok=200, **overrides):
    table = {p: (ok if p in STAFF else 401) for p in PERSONAS}
    table.update(overrides)
    return table


def vs_new_metric(cast) -> str:
    """The code of a VS metric, created for the row (a kwarg may be such a builder)."""
    from tests.metrics.proposal_data import new_clients_metric

    return new_clients_metric(cast).code


def vs_new_proposal(cast) -> int:
    """An open proposal on that metric, by its owner."""
    from tests.metrics.proposal_data import open_proposal

    return open_proposal(cast).pk


def vs_monthly_table(cast) -> str:
    """The code of a (bare) VS statistics table, created for the row."""
    from seire.collection.models import Dataset

    return Dataset.objects.get_or_create(
        code="VS_MONTHLY",
        defaults={
            "name_et": "Ohvriabi kuutabel",
            "name_en": "Victim support monthly table",
            "service": cast.vs,
            "period_type": "M",
        },
    )[0].code


def vs_client_survey(cast) -> str:
    """The code of the shipped client survey of VS, loaded for the row."""
    from seire.catalogue.loader import DEFAULT_DIRECTORY, read_yaml
    from seire.feedback import catalogue
    from seire.feedback.models import Survey

    if not Survey.objects.filter(code="vs-client").exists():
        catalogue.load(read_yaml(DEFAULT_DIRECTORY / "surveys.yaml"))
    return "vs-client"


def vs_invitation_token(cast) -> str:
    """A fresh invitation to that survey after a closed Harju episode: its token."""
    from seire.feedback.channels import issue_invitation
    from seire.feedback.models import Survey
    from tests.feedback.conftest import closed_episode

    vs_client_survey(cast)
    survey = Survey.objects.get(code="vs-client")
    return issue_invitation(closed_episode(cast), survey, "sms")[1]


def vs_feedback_response(cast) -> int:
    """A stored response to that survey (its originals are the analyst's)."""
    from seire.feedback.answers import check_answers, store_response
    from seire.feedback.models import Survey

    vs_client_survey(cast)
    version = Survey.objects.get(code="vs-client").current_version()
    checked = check_answers(version.ordered_questions(), {"satisfaction": 4, "comment": "Aitäh"})
    return store_response(
        version, checked, channel="link", language="et", service=cast.vs, unit=cast.harju_vs
    ).pk


def vs_feedback_item(cast) -> int:
    """The inbox item of that response (VS: Olev's service)."""
    from seire.feedback.models import Response

    return Response.objects.get(pk=vs_feedback_response(cast)).item.pk


def wsc_feedback_item(cast) -> int:
    """An inbox item about the women's support centres (Oksana's service)."""
    from seire.feedback.models import FeedbackItem, Response

    response = Response.objects.get(pk=vs_feedback_response(cast))
    response.pk, response.service = None, cast.wsc
    response.unit = cast.tartu_wsc
    response.save()
    item = FeedbackItem.objects.get(response__service=cast.vs)
    item.pk, item.response, item.service, item.unit = None, response, cast.wsc, cast.tartu_wsc
    item.save()
    return item.pk


# (url name, kwargs from the cast, {persona: expected status}) — one row per case; object-level
# rows name the object the persona may or may not see. A kwarg is a cast attribute's name, a
# plain value, or a function that builds the object from the cast and returns the value.
CASES = [
    ("home", {}, {**everyone(200), "anonymous": LOGIN}),
    ("health", {}, everyone(200)),
    ("login", {}, {**everyone(302), "anonymous": 200}),
    ("logout", {}, everyone(405)),  # GET is refused; logging out is a POST
    ("set_language", {}, everyone(302)),
    # access: the audit trail is the analyst's; every signed-in account may set up its second
    # factor (verifying without a device sends to the set-up); single sign-on is off here (404).
    ("access:audit", {}, staff_only(403, analyst=200)),
    ("access:audit_csv", {}, staff_only(403, analyst=200)),
    ("access:otp_setup", {}, {**everyone(200), "anonymous": LOGIN}),
    ("access:otp_verify", {}, {**everyone(302), "anonymous": LOGIN}),
    ("access:oidc_login", {}, everyone(404)),
    ("access:oidc_callback", {}, everyone(404)),
    ("organisation:unit_list", {}, staff_only()),
    # Paul's own unit: Pille (other county) and the WSC owner may not see it.
    ("organisation:unit_detail", {"pk": "harju_vs"}, staff_only(provider_b=403, owner_y=403)),
    (
        "organisation:unit_detail",
        {"pk": "tartu_wsc"},
        staff_only(provider_a=403, provider_b=403, owner_x=403),
    ),
    ("organisation:service_list", {}, staff_only()),
    ("organisation:service_detail", {"code": "VS"}, staff_only(owner_y=403)),
    (
        "organisation:service_detail",
        {"code": "WSC"},
        staff_only(provider_a=403, provider_b=403, owner_x=403),
    ),
    # collection: the board is for staff (each sees their own units); a report checks the unit
    # before the table, so with no VS_MONTHLY here the unit's readers get 404, others 403.
    # (tests/collection/test_views.py walks the same routes with the table in place.)
    ("collection:status", {}, staff_only()),
    (
        "collection:grid",
        {"dataset": "VS_MONTHLY", "unit": "harju_vs", "period": "2026M03"},
        staff_only(404, provider_b=403, owner_y=403),
    ),
    (
        "collection:grid",
        {"dataset": "VS_MONTHLY", "unit": "tartu_vs", "period": "2026M03"},
        staff_only(404, provider_a=403, owner_y=403),
    ),
    *[
        (
            f"collection:{name}",
            {"dataset": "VS_MONTHLY", "unit": "harju_vs", "period": "2026M03"},
            everyone(405),
        )
        for name in ("cell", "submit", "approve", "return", "reopen", "comment")
    ],
    # metrics: change proposals and version history. Readers of a metric are the staff who
    # may see its service; its service's owner and the analyst propose; the analyst decides.
    ("metrics:proposal_list", {}, staff_only()),
    ("metrics:metric_proposals", {"code": vs_new_metric}, staff_only(owner_y=403)),
    ("metrics:history", {"code": vs_new_metric}, staff_only(owner_y=403)),
    ("metrics:propose", {"code": vs_new_metric}, staff_only(403, owner_x=200, analyst=200)),
    ("metrics:proposal", {"pk": vs_new_proposal}, staff_only(owner_y=403)),
    ("metrics:proposal_accept", {"pk": vs_new_proposal}, everyone(405)),
    ("metrics:proposal_reject", {"pk": vs_new_proposal}, everyone(405)),
    # metrics: passports, the handbook and the data-collection guides (pages and PDFs) describe
    # definitions, not data: every staff member reads all of them.
    ("metrics:handbook", {}, staff_only()),
    ("metrics:handbook_pdf", {}, staff_only()),
    ("metrics:passport", {"code": vs_new_metric}, staff_only()),
    ("metrics:passport_pdf", {"code": vs_new_metric}, staff_only()),
    ("metrics:passport", {"code": "NO_SUCH_METRIC"}, staff_only(404)),
    ("metrics:guide_list", {}, staff_only()),
    ("metrics:guide", {"code": vs_monthly_table}, staff_only()),
    ("metrics:guide_pdf", {"code": vs_monthly_table}, staff_only()),
    # metrics: value downloads (CSV, XLSX) and the API give the values of the units the
    # persona may see: the country by default (providers see only their own unit), a unit
    # with "?unit=". An owner of another service may not read the metric at all.
    *[
        (
            f"metrics:values_{kind}",
            {"code": vs_new_metric},
            staff_only(provider_a=403, provider_b=403, owner_y=403),
        )
        for kind in ("csv", "xlsx")
    ],
    *[
        (
            f"metrics:values_{kind}",
            {"code": vs_new_metric, "?": {"unit": "HARJU-VS"}},
            staff_only(provider_b=403, owner_y=403),
        )
        for kind in ("csv", "xlsx")
    ],
    # metrics: the scorecard and a metric's page are for staff; each shows the metrics of the
    # services the persona may see, at the units they may see (a provider: their own unit
    # only; "?unit=" elsewhere falls back to it). The quarterly overview is national: the
    # analyst and managers read all of them, a service's owners that service's; providers none.
    ("metrics:scorecard", {}, staff_only()),
    ("metrics:scorecard", {"?": {"unit": "EE", "service": "WSC"}}, staff_only()),
    ("metrics:metric", {"code": vs_new_metric}, staff_only(owner_y=403)),
    ("metrics:metric", {"code": vs_new_metric, "?": {"unit": "HARJU-VS"}}, staff_only(owner_y=403)),
    ("metrics:metric", {"code": "NO_SUCH_METRIC"}, staff_only(404)),
    (
        "metrics:overview",
        {"subject": "ALL", "quarter": "2026Q1"},
        staff_only(403, manager=200, analyst=200),
    ),
    (
        "metrics:overview",
        {"subject": "VS", "quarter": "2026Q1"},
        staff_only(403, owner_x=200, manager=200, analyst=200),
    ),
    (
        "metrics:overview",
        {"subject": "VS", "quarter": "2026M01"},
        staff_only(403, owner_x=404, manager=404, analyst=404),
    ),
    (
        "metrics:overview",
        {"subject": "NO_SUCH_SERVICE", "quarter": "2026Q1"},
        staff_only(404, no_role=404),
    ),
    # feedback: the form, its thank-you page and invitations are public; links and QR posters
    # are for the staff of the survey's service (and unit); a response's originals, the analyst's.
    ("feedback:survey", {"code": vs_client_survey}, everyone(200)),
    ("feedback:unit_survey", {"code": vs_client_survey, "unit": "HARJU-VS"}, everyone(200)),
    ("feedback:invitation", {"token": vs_invitation_token}, everyone(200)),
    ("feedback:thanks", {}, everyone(200)),
    ("feedback:links", {}, staff_only()),
    ("feedback:poster", {"code": vs_client_survey}, staff_only(owner_y=403)),
    (
        "feedback:unit_poster",
        {"code": vs_client_survey, "unit": "HARJU-VS"},
        staff_only(provider_b=403, owner_y=403),
    ),
    (
        "feedback:unit_poster",
        {"code": vs_client_survey, "unit": "TARTU-VS"},
        staff_only(provider_a=403, owner_y=403),
    ),
    ("feedback:response", {"pk": vs_feedback_response}, staff_only(403, analyst=200)),
    # evaluation: reports are for the analyst, managers and the owners of the service; plans
    # are written and locked by the analyst (locking is a POST).
    ("evaluation:index", {}, staff_only(provider_a=403, provider_b=403)),
    ("evaluation:plan_new", {}, staff_only(403, analyst=200)),
    (
        "evaluation:impact",
        {"pk": vs_plan_pk},
        staff_only(provider_a=403, provider_b=403, owner_y=403),
    ),
    (
        "evaluation:impact",
        {"pk": wsc_plan_pk},
        staff_only(provider_a=403, provider_b=403, owner_x=403),
    ),
    ("evaluation:plan_lock", {"pk": vs_plan_pk}, everyone(405)),
    ("evaluation:ux", {"service": "VS"}, staff_only(provider_a=403, provider_b=403, owner_y=403)),
    (
        "evaluation:ux",
        {"service": "WSC", "?": {"period": "2025Q1"}},
        staff_only(provider_a=403, provider_b=403, owner_x=403),
    ),
    (
        "evaluation:ux",
        {"service": "NO_SUCH_SERVICE"},
        staff_only(404, provider_a=403, provider_b=403),
    ),
    ("api:post_feedback_response", {"survey_code": vs_client_survey}, everyone(405)),  # POST only
    # the inbox: owners see the items of their services, the analyst all; nobody else any
    ("feedback:inbox", {}, staff_only(403, owner_x=200, owner_y=200, analyst=200)),
    ("feedback:item", {"pk": vs_feedback_item}, staff_only(403, owner_x=200, analyst=200)),
    ("feedback:item", {"pk": wsc_feedback_item}, staff_only(403, owner_y=200, analyst=200)),
    ("feedback:item_original", {"pk": vs_feedback_item}, staff_only(403, analyst=200)),
    ("feedback:loop", {}, staff_only(403, owner_x=200, owner_y=200, manager=200, analyst=200)),
    ("feedback:coder", {}, staff_only(403, analyst=200)),
    ("feedback:curate", {"code": "VS"}, staff_only(403, analyst=200)),
    ("feedback:we_did", {"code": "VS"}, everyone(200)),
    ("api:openapi-json", {}, everyone(200)),  # the schema is public; the data is not
    ("api:openapi-view", {}, everyone(200)),
    ("api:api-root", {}, everyone(404)),
    ("api:list_units", {}, api_staff()),
    ("api:get_unit", {"unit_id": "harju_vs"}, api_staff(provider_b=403, owner_y=403)),
    ("api:get_unit", {"unit_id": "tartu_vs"}, api_staff(provider_a=403, owner_y=403)),
    ("api:list_services", {}, api_staff()),
    ("api:get_service", {"code": "VS"}, api_staff(owner_y=403)),
    ("api:get_service", {"code": "WSC"}, api_staff(provider_a=403, provider_b=403, owner_x=403)),
    # "?" is the query string. POST /values shares the URL of GET /values: this row checks
    # the GET; the POST's access is tested in tests/collection/test_csv_api.py.
    (
        "api:list_values",
        {"?": {"dataset": "VS_MONTHLY", "unit": "HARJU-VS"}},
        api_staff(provider_b=403, owner_y=403),
    ),
    (
        "api:list_values",
        {"?": {"dataset": "VS_MONTHLY", "unit": "TARTU-VS"}},
        api_staff(provider_a=403, owner_y=403),
    ),
    (
        "api:post_values",
        {"?": {"dataset": "VS_MONTHLY", "unit": "TARTU-VS"}},
        api_staff(provider_a=403, owner_y=403),
    ),
    ("api:list_metrics", {}, api_staff()),
    (
        "api:metric_values",
        {"code": vs_new_metric},
        api_staff(provider_a=403, provider_b=403, owner_y=403),
    ),
    (
        "api:metric_values",
        {"code": vs_new_metric, "?": {"unit": "HARJU-VS"}},
        api_staff(provider_b=403, owner_y=403),
    ),
    # inquiries: the register holds requesters' personal data and is the analyst's alone;
    # saving, attaching and rerunning are POSTs.
    ("inquiries:index", {}, staff_only(403, analyst=200)),
    ("inquiries:create", {}, staff_only(403, analyst=200)),
    ("inquiries:detail", {"pk": an_inquiry}, staff_only(403, analyst=200)),
    ("inquiries:detail", {"pk": "999999"}, staff_only(403, analyst=404)),
    ("inquiries:edit", {"pk": an_inquiry}, staff_only(403, analyst=200)),
    ("inquiries:file", {"pk": an_inquiry, "file_pk": an_answer_file}, staff_only(403, analyst=200)),
    ("inquiries:query", {"pk": an_inquiry}, staff_only(403, analyst=200)),
    ("inquiries:export", {"pk": an_inquiry}, staff_only(403, analyst=302)),  # no query: the builder
    ("inquiries:attach", {"pk": an_inquiry}, everyone(405)),
    ("inquiries:rerun", {"pk": an_inquiry}, everyone(405)),
    ("api:metric_values", {"code": "NO_SUCH_METRIC"}, api_staff(404)),
    # publishing: the public statistics pages, files and API need no sign-in; under embargo
    # (before the planned time) every one of them is 404. The staff pages are the analyst's;
    # preparing, publishing and correcting are POSTs.
    ("statistics:home", {}, everyone(200)),
    ("statistics:release", {"code": a_public_release}, everyone(200)),
    ("statistics:release", {"code": an_embargoed_release}, everyone(404)),
    ("statistics:release_version", {"code": a_public_release, "number": "1"}, everyone(200)),
    ("statistics:release_version", {"code": an_embargoed_release, "number": "1"}, everyone(404)),
    ("statistics:methodology", {"code": a_public_release}, everyone(200)),
    ("statistics:methodology", {"code": an_embargoed_release}, everyone(404)),
    ("statistics:table", {"code": a_public_release, "table": "county-gender"}, everyone(200)),
    ("statistics:table", {"code": an_embargoed_release, "table": "county-gender"}, everyone(404)),
    (
        "statistics:table_version",
        {"code": a_public_release, "number": "1", "table": "county-gender"},
        everyone(200),
    ),
    *[
        (
            "statistics:table_file",
            {"code": code, "table": "county-gender", "fmt": fmt},
            everyone(status),
        )
        for fmt in ("csv", "xlsx", "px")
        for code, status in ((a_public_release, 200), (an_embargoed_release, 404))
    ],
    (
        "statistics:table_version_file",
        {"code": a_public_release, "number": "1", "table": "county-gender", "fmt": "px"},
        everyone(200),
    ),
    (
        "statistics:table_version_file",
        {"code": an_embargoed_release, "number": "1", "table": "county-gender", "fmt": "csv"},
        everyone(404),
    ),
    ("api:list_public_releases", {}, everyone(200)),
    ("api:get_public_release_detail", {"code": a_public_release}, everyone(200)),
    ("api:get_public_release_detail", {"code": an_embargoed_release}, everyone(404)),
    (
        "api:get_public_release_table",
        {"code": a_public_release, "table": "county-gender"},
        everyone(200),
    ),
    (
        "api:get_public_release_table",
        {"code": an_embargoed_release, "table": "county-gender"},
        everyone(404),
    ),
    ("publishing:index", {}, staff_only(403, analyst=200)),
    ("publishing:detail", {"code": a_public_release}, staff_only(403, analyst=200)),
    ("publishing:detail", {"code": an_embargoed_release}, staff_only(403, analyst=200)),
    ("publishing:detail", {"code": "no-such-release"}, staff_only(403, analyst=404)),
    *[
        (f"publishing:{name}", {"code": a_public_release}, everyone(405))
        for name in ("prepare", "publish", "correct")
    ],
]

# The admin is the analyst's: everyone else is sent to the admin login page.
ADMIN_ANALYST_STATUS = {
    "admin:logout": 405,
    "admin:login": 302,
    "admin:view_on_site": 404,
    "admin:access_auditevent_add": 403,
    "admin:access_auditevent_delete": 403,
    "admin:axes_accessattempt_add": 200,
    "admin:otp_totp_totpdevice_add": 403,  # enrolled by its owner, never by the admin
    # The queue of background work (SEIRE_TASKS_BACKEND=database) is django-tasks-db's own
    # admin, which asks for Django model permissions no persona is given: closed to all.
    **{
        f"admin:django_tasks_database_dbtaskresult_{view}": 403
        for view in ("add", "change", "changelist", "delete", "history")
    },
}


SITE_ROUTES = {"index", "login", "logout", "password_change", "password_change_done", "jsi18n"}


def _walk(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, ns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", pattern


def all_route_names() -> set[str]:
    return {name for name, _ in _walk(get_resolver().url_patterns)}


def admin_route_names() -> list[str]:
    return sorted(n for n in all_route_names() if n.startswith("admin:") and n != "admin:")


def test_it_has_an_expectation_for_every_route():
    covered = {name for name, _, _ in CASES} | set(admin_route_names())
    missing = all_route_names() - covered
    assert not missing, f"routes without an access expectation: {sorted(missing)}"


def test_it_has_an_expectation_for_every_api_operation():
    schema = api.get_openapi_schema()
    operations = {op["operationId"] for path in schema["paths"].values() for op in path.values()}
    covered = {name.removeprefix("api:") for name, _, _ in CASES}
    tested = {op for op in operations if any(op.endswith(c) for c in covered)}
    assert operations == tested, f"API operations untested: {sorted(operations - tested)}"


def _client_for(client, cast, persona):
    user = cast.personas[persona]
    if user is not None:
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _resolve_kwargs(cast, kwargs):
    resolved = {}
    for key, value in kwargs.items():
        if key == "?":
            continue
        if callable(value):
            resolved[key] = value(cast)
            continue
        obj = getattr(cast, value, None)
        resolved[key] = obj.pk if obj is not None and hasattr(obj, "pk") else value
    return resolved


def _url(cast, name, kwargs):
    """The route's URL; a "?" entry of `kwargs` is its query string (datasets named there
    are created for the cast's general victim support when missing)."""
    from urllib.parse import urlencode

    from seire.collection.models import Dataset

    url = reverse(name, kwargs=_resolve_kwargs(cast, kwargs))
    query = kwargs.get("?")
    if not query:
        return url
    if "dataset" in query:
        Dataset.objects.get_or_create(
            code=query["dataset"],
            defaults={
                "name_et": query["dataset"],
                "name_en": query["dataset"],
                "service": cast.vs,
                "period_type": "M",
            },
        )
    return f"{url}?{urlencode(query)}"


def _case_id(name, kwargs):
    values = [getattr(v, "__name__", v) for k, v in kwargs.items() if k != "?"]
    values += list(kwargs.get("?", {}).values())
    return f"{name}-{'-'.join(map(str, values))}"


def _check(response, expected):
    if expected == LOGIN:
        assert response.status_code == 302, response.status_code
        assert response["Location"].startswith(reverse("login")), response["Location"]
    else:
        assert response.status_code == expected, (response.status_code, expected)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    ("name", "kwargs", "expected"), CASES, ids=[_case_id(n, k) for n, k, _ in CASES]
)
def test_it_gives_each_persona_what_the_policy_says(client, cast, persona, name, kwargs, expected):
    url = _url(cast, name, kwargs)
    response = _client_for(client, cast, persona).get(url)
    _check(response, expected[persona])


def _admin_url(cast, name):
    """A concrete URL for an admin route, pointing at a real object of its model."""
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    route = name.removeprefix("admin:")
    if route == "autocomplete":
        query = "?app_label=organisation&model_name=provider&field_name=unit&term=Harju"
        return reverse(name) + query
    if route in SITE_ROUTES:
        return reverse(name)
    if route == "view_on_site":
        ct = ContentType.objects.get_for_model(cast.harju_vs)
        return reverse(name, kwargs={"content_type_id": ct.pk, "object_id": cast.harju_vs.pk})
    if route == "app_list":
        return reverse(name, kwargs={"app_label": "organisation"})
    kwargs = {}
    parts = route.split("_")
    if parts[-1] in {"history", "delete", "change", "password"}:
        action = parts.pop() if parts[-1] != "password" else parts.pop(-2)
        app_label, model_name = parts[0], "_".join(parts[1:])
        if app_label == "otp":  # an app label with an underscore (otp_totp)
            app_label, model_name = "_".join(parts[:2]), "_".join(parts[2:])
        if app_label == "django":  # django-tasks-db's label, django_tasks_database
            app_label, model_name = "_".join(parts[:3]), "_".join(parts[3:])
        model = apps.get_model(app_label, model_name.removesuffix("_password"))
        obj = _an_object_of(cast, model)
        key = "id" if action == "password" or name.endswith("_password_change") else "object_id"
        kwargs[key] = obj.pk
    return reverse(name, kwargs=kwargs)


def _an_object_of(cast, model):
    from seire.access.audit import record

    if not model.objects.exists():
        if model._meta.label_lower == "access.auditevent":
            record(cast.ann, "view", cast.harju_vs)
        elif model._meta.label_lower == "otp_totp.totpdevice":
            # Of someone outside the personas: a device makes its owner verify every sign-in.
            owner = cast.person("tiit", None)
            model.objects.create(user=owner, name="phone")
        elif model._meta.label_lower == "django_tasks_database.dbtaskresult":
            from django.utils import timezone

            model.objects.create(
                args_kwargs={"args": [], "kwargs": {}}, task_path="seire.tasks.example",
                backend_name="default", run_after=timezone.now(),
            )  # fmt: skip
        elif model._meta.label_lower == "auth.group":
            model.objects.create(name="analysts")
        elif model._meta.app_label == "axes":
            _make_axes_rows()
        elif model._meta.label_lower == "organisation.partner":
            model.objects.create(name="Politsei- ja Piirivalveamet", kind="police")
        elif model._meta.label_lower == "organisation.contact":
            partner = _an_object_of(cast, apps_get("organisation", "partner"))
            model.objects.create(partner=partner, name="Kati Kontakt")
        elif model._meta.label_lower == "publishing.release":
            a_public_release(cast)
        elif model._meta.label_lower == "feedback.routingrule":
            model.objects.create(service=cast.vs, owner=cast.olev)
        elif model._meta.label_lower == "organisation.agreement":
            partner = _an_object_of(cast, apps_get("organisation", "partner"))
            model.objects.create(partner=partner, title="Koostöö", start="2024-01-01")
    return model.objects.order_by("pk").first()


def apps_get(app_label, model_name):
    from django.apps import apps

    return apps.get_model(app_label, model_name)


def _make_axes_rows():
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    common = {
        "user_agent": "test",
        "ip_address": "127.0.0.1",
        "username": "x",
        "http_accept": "*/*",
        "path_info": "/login/",
    }
    AccessAttempt.objects.get_or_create(**common, defaults={"failures_since_start": 1})
    AccessLog.objects.get_or_create(**common)
    AccessFailureLog.objects.get_or_create(**common)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", admin_route_names())
def test_it_keeps_everyone_but_the_analyst_out_of_the_admin(client, cast, persona, name):
    url = _admin_url(cast, name)
    response = _client_for(client, cast, persona).get(url)
    if persona == "analyst":
        assert response.status_code == ADMIN_ANALYST_STATUS.get(name, 200), response.status_code
    elif name == "admin:login":
        assert response.status_code == 200  # the form, saying this account has no access
    elif name == "admin:logout":
        assert response.status_code in (302, 405)  # nothing to see, nothing to do
    else:
        assert response.status_code == 302, response.status_code
        assert response["Location"].startswith(reverse("admin:login"))
