"""`data_changed`: sent inside the transaction that changed collected data.

Keyword arguments: `dataset` (a dataset code) and `periods` (period codes) when a table's
values or a report's submission changed; `episodes=True` and `periods` (dates or period
codes the changed records fall in; None: any) when episodes or assessments changed. The
metrics app listens and recomputes what the change affects once the transaction commits
(`seire.metrics.recompute`); collection itself knows nothing of metrics.
"""

from django.dispatch import Signal

data_changed = Signal()
