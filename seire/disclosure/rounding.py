"""The alternative to suppression: rounding every cell, totals independently.

Each cell (inner cells and every marginal total alike) is rounded to the nearest multiple of
`base` (3 or 5 are usual; halves round up), so totals need not equal the sum of their
rounded parts. Zeros stay zero. The method is stated in a `method` column.

>>> import pandas as pd
>>> frame = pd.DataFrame({"g": ["f", "m"], "n": [2, 9]})
>>> round_table(frame, ["g"], "n", base=5)[["g", "n"]].values.tolist()
[['f', 0], ['m', 10], ['TOTAL', 10]]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from seire.disclosure.tables import DisclosureError, build


def method_note(base: int) -> str:
    """The method as stated in the output."""
    return f"rounded to base {base}; totals rounded independently"


def round_table(frame: pd.DataFrame, dims: list[str], value: str, base: int = 5) -> pd.DataFrame:
    """Every cell with totals (`TOTAL`), its value rounded to a multiple of `base`, and `method`."""
    if int(base) != base or base < 2:
        raise DisclosureError(f"the rounding base must be a whole number of at least 2: {base}")
    base = int(base)
    cube = build(frame, dims, value, [tuple(dims)])
    rounded = np.asarray((cube.values + base // 2) // base * base, dtype=np.int64)
    out = pd.DataFrame([cube.keys[c] for c in cube.table_cells[0]], columns=list(cube.dims))
    out[value] = rounded[cube.table_cells[0]]
    out["method"] = method_note(base)
    out.attrs["method"] = method_note(base)
    return out
