"""Documentation is tested: every `seire` command of the project is described in docs/cli.md."""

from pathlib import Path

from django.core.management import get_commands

ROOT = Path(__file__).resolve().parent.parent


def project_commands() -> list[str]:
    return sorted(name for name, app in get_commands().items() if app.startswith("seire"))


def test_it_has_project_commands():
    assert "seed" in project_commands()


def test_it_documents_every_project_command():
    docs = (ROOT / "docs" / "cli.md").read_text()
    missing = [
        name
        for name in project_commands()
        if f"`seire {name}" not in docs and f"`seire {name.replace('_', '-')}" not in docs
    ]
    assert not missing, f"undocumented in docs/cli.md: {missing}"
