"""PDFs from the same HTML templates as the pages, with WeasyPrint.

`render_pdf(template, context, request)` renders the template the page uses (with `pdf`
set in the context, so a template can leave out links that only make sense on screen) and
lays it out for print: the templates' `@page` rules give page numbers and a running header.
Fonts come from the system (Debian's fonts-dejavu-core through fontconfig). Nothing is
fetched over the network: `StaticFetcher` serves the project's static files from disk and
refuses every other URL, so a PDF never depends on (or leaks to) another server.

WeasyPrint needs Pango, PangoFT2 and HarfBuzz's subsetter from the system
(`make system-deps` installs them); views import this module when a PDF is asked for, so
the site runs without them.
"""

import logging
import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)
BASE_URL = "https://seire.invalid/"  # resolves relative URLs; never fetched


class _ScreenOnlyRules(logging.Filter):
    """Drops WeasyPrint's warnings for each `@media (max-width: …)` or `@media
    (prefers-reduced-motion: …)` rule of the stylesheets: it evaluates no media features
    and leaves such a rule out, which is what is meant (the rules are for screens)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not ("media type" in message and "(" in message)


logging.getLogger("weasyprint").addFilter(_ScreenOnlyRules())


def render_pdf(template_name: str, context: dict, request=None) -> bytes:
    """The PDF of `template_name` rendered with `context` (plus `pdf=True`)."""
    html = render_to_string(template_name, {**context, "pdf": True}, request=request)
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=StaticFetcher())
    return document.write_pdf()


def static_path(url: str) -> Path | None:
    """The file on disk behind a static URL (collected or from the finders), or None."""
    prefix = "/" + settings.STATIC_URL.lstrip("/")
    path = unquote(urlsplit(url).path)
    if not path.startswith(prefix):
        return None
    name = path.removeprefix(prefix)
    if not name or ".." in Path(name).parts:
        return None
    collected = Path(settings.STATIC_ROOT) / name if settings.STATIC_ROOT else None
    if collected is not None and collected.is_file():
        return collected
    found = finders.find(name)
    return Path(found) if found else None


class StaticFetcher(URLFetcher):
    """Serves static files from disk and `data:` URLs; refuses everything else."""

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        path = static_path(url)
        if path is None:
            logger.warning("PDF: not fetching %s (only static files are served)", url)
            raise ValueError(f"{url} is not a static file: PDFs fetch nothing else")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            path.as_uri(), path.read_bytes(), headers={"Content-Type": content_type}
        )
