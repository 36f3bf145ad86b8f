"""schemathesis over the OpenAPI schema: no request, however malformed, is a server error.

Every operation of the ninja schema is called through the real WSGI application with cases
schemathesis generates from the schema — valid ones and ones that break it (wrong types,
missing fields, odd path parameters) — anonymously and as the analyst, whose session cookie
and CSRF token go with every request. Path parameters are sometimes swapped for codes that
exist (a unit, a survey, a published release) so that generation reaches past the 404s.

`make test` runs a few examples per operation; `make fuzz` sets SEIRE_FUZZ_EXAMPLES for more.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import given
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode

from seire.api import api
from seire.wsgi import application
from tests.access.test_route_access import vs_client_survey, vs_new_metric
from tests.collection.conftest import vs_monthly  # noqa: F401 (a fixture)
from tests.fuzzing import fuzz_settings
from tests.publishing.builders import a_public_release

CSRF = "a" * 32  # a CSRF secret sent as cookie and header, as a browser's script would

SCHEMA = schemathesis.openapi.from_dict(api.get_openapi_schema())
OPERATIONS = {op.label: op for op in (result.ok() for result in SCHEMA.get_all_operations())}
# Negative cases need something to break: a parameter or a body.
CASES = [
    (label, mode)
    for label, op in sorted(OPERATIONS.items())
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    if mode == GenerationMode.POSITIVE
    or op.definition.raw.get("parameters")
    or op.definition.raw.get("requestBody")
]


@pytest.fixture
def wsgi_in_test_transaction():
    """Django's WSGI handler closes the connection after each request; inside the test's
    transaction that would throw the test data away, so it is kept open, as Django's test
    client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield application
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def known(cast, vs_monthly, settings):  # noqa: F811
    """Codes and ids that exist, to put into path parameters now and then."""
    settings.SEIRE_FEEDBACK_API_LIMIT = 10**9  # the limit is tested elsewhere; reach the checks
    return {
        "unit_id": [cast.harju_vs.pk, cast.tartu_vs.pk],
        "survey_code": [vs_client_survey(cast)],
        "release": [a_public_release(cast)],
        "metric": [vs_new_metric(cast)],
        "service": ["VS", "WSC"],
        "table": ["county-gender"],
    }


# Query and body fields that name something, with values that exist (vs_monthly's cells).
KNOWN_FIELDS = {
    "dataset": st.just("VS_MONTHLY"),
    "unit": st.sampled_from(["HARJU-VS", "TARTU-VS"]),
    "period": st.sampled_from(["2026M03", "2026M02"]),
    "element": st.sampled_from(["CLIENTS_NEW", "SESSIONS", "SATISFIED_PCT"]),
    "combo": st.sampled_from(["female", "male", "unknown", "total"]),
}


def _nudge(data, value):
    """`value` with some fields that name something set to names that exist."""
    if isinstance(value, list):
        return [_nudge(data, item) for item in value]
    if isinstance(value, dict):
        return {
            key: data.draw(KNOWN_FIELDS[key])
            if key in KNOWN_FIELDS and data.draw(st.booleans())
            else _nudge(data, item)
            for key, item in value.items()
        }
    return value


def _known_path(label: str, known: dict) -> dict[str, st.SearchStrategy]:
    by_name = {
        "unit_id": known["unit_id"],
        "survey_code": known["survey_code"],
        "table": known["table"],
        "code": known["release"]
        if "/public/" in label
        else known["metric"]
        if "/metrics/" in label
        else known["service"],
    }
    return {name: st.sampled_from(values) for name, values in by_name.items()}


@pytest.mark.fuzz
@pytest.mark.parametrize("persona", ["anonymous", "analyst"])
@pytest.mark.parametrize(("label", "mode"), CASES)
def test_it_answers_every_generated_request_without_a_server_error(
    client, cast, known, wsgi_in_test_transaction, label, mode, persona, fuzzed
):
    operation = OPERATIONS[label]
    cookies = {"csrftoken": CSRF}
    if persona == "analyst":
        client.force_login(cast.ann, backend="django.contrib.auth.backends.ModelBackend")
        cookies["sessionid"] = client.cookies["sessionid"].value
    replacements = _known_path(label, known)

    @fuzz_settings(12)
    @given(data=st.data())
    def run(data):
        case = data.draw(operation.as_strategy(generation_mode=mode))
        for name in list(case.path_parameters or {}):
            if name in replacements and data.draw(st.booleans()):
                case.path_parameters[name] = data.draw(replacements[name])
        if isinstance(case.query, dict):
            case.query = _nudge(data, case.query)
        if isinstance(case.body, dict):
            case.body = _nudge(data, case.body)
        response = case.call(app=wsgi_in_test_transaction, cookies=cookies,
                             headers={"X-CSRFToken": CSRF})  # fmt: skip
        fuzzed()
        case.validate_response(response, checks=[not_a_server_error])

    run()


def test_it_fuzzes_every_operation_of_the_schema():
    schema = api.get_openapi_schema()
    labels = {f"{m.upper()} {p}" for p, ops in schema["paths"].items() for m in ops}
    assert labels == set(OPERATIONS)
