"""The collection pages: one report's data-entry grid with its submission steps, and the
status board of who has reported what.

Every report view fetches its report through `get_report_for_user`, which answers 403 for
a unit outside the user's scope before anything else; values are written only through
`services.save_values` and steps only through `workflow`, so the web grid gets the same
checks, version conflicts and audit trail as Excel, CSV and the API.

`report` holds the report and its permission helper, `entry` the grid and cell saves,
`steps` the submission steps and `board` the status board.
"""

from seire.collection.views.board import status_board
from seire.collection.views.entry import cell, comment, grid
from seire.collection.views.report import Report, get_report_for_user
from seire.collection.views.steps import approve, reopen, return_for_changes, submit

__all__ = [
    "Report",
    "approve",
    "cell",
    "comment",
    "get_report_for_user",
    "grid",
    "reopen",
    "return_for_changes",
    "status_board",
    "submit",
]
