"""The analyst's audit trail and the two-step sign-in in a real browser: accessible, and
nothing on them refused by the Content-Security-Policy (no inline script or style)."""

import pytest

from tests.browser.conftest import axe, describe, login, screenshot

pytestmark = pytest.mark.browser


def _watch_csp(page) -> list[str]:
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return refused


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("/access/audit/?who=ann", "Auditilogi"),
        ("/access/two-factor/setup/", "Kaheastmeline sisselogimine"),
        ("/organisation/units/", None),
    ],
)
def test_the_pages_are_accessible_and_break_no_policy(new_page, cast, path, heading):
    page = new_page()
    refused = _watch_csp(page)
    login(page, cast.ann)
    page.goto(path)
    if heading:
        assert page.inner_text("h1").strip() == heading
    if "two-factor" in path:
        # The QR code is an SVG data: URI image, allowed by img-src 'self' data:.
        assert page.eval_on_selector("main img", "img => img.naturalWidth") > 0
    violations = axe(page)
    screenshot(page, "access" + path.replace("/", "-").split("?")[0])
    assert not violations, describe(violations)
    assert not refused, refused
