"""The inquiry fixture of the cast (see builders.py)."""

import pytest

from seire.inquiries.models import Inquiry
from tests.inquiries.builders import make_inquiry


@pytest.fixture
def inquiry(cast) -> Inquiry:
    return make_inquiry(assignee=cast.ann)
