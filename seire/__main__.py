"""`seire` / `python -m seire`: Django's management commands under one name.

Commands whose documented name has a hyphen (`seire import-values`) are Django commands
with an underscore (`import_values`); `ALIASES` maps one to the other, also after `help`.
"""

import os
import sys

ALIASES = {
    "import-values": "import_values",
    "import-episodes": "import_episodes",
    "import-assessments": "import_assessments",
    "send-reminders": "send_reminders",
    "client-export": "client_export",
    "client-erase": "client_erase",
    "inquiry-reminders": "inquiry_reminders",
    "feedback-reminders": "feedback_reminders",
}


def resolve_aliases(argv: list[str]) -> list[str]:
    """`argv` with a hyphenated command name (argv[1], or argv[2] after `help`) replaced."""
    argv = list(argv)
    position = 2 if argv[1:2] == ["help"] else 1
    if len(argv) > position:
        argv[position] = ALIASES.get(argv[position], argv[position])
    return argv


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "seire.settings")
    from django.core.management import execute_from_command_line

    argv = resolve_aliases(sys.argv if argv is None else argv)
    argv[0] = "seire"
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
