"""The library itself: pure (no Django), and its docstring examples hold."""

import doctest
import importlib
import subprocess
import sys

import pytest

MODULES = [
    "seire.textscan",
    "seire.textscan.danger",
    "seire.textscan.identifiers",
    "seire.textscan.names",
    "seire.textscan.phones",
    "seire.textscan.phrases",
    "seire.textscan.redaction",
    "seire.textscan.sentiment",
    "seire.textscan.themes",
]


@pytest.mark.parametrize("name", MODULES)
def test_its_examples_hold(name):
    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0, f"{name} has no examples"
    assert result.failed == 0


def test_it_imports_nothing_from_django():
    code = (
        "import sys, seire.textscan as t; t.redact('tel 5123 4567'); t.themes('ootasin'); "
        "print(sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')))"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter and a fixed script
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
