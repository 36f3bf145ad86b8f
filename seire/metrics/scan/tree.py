"""The org tree as the engine groups by it: unit id → the ids of the unit and every unit
above it, and the same as arrays over dense unit numbers."""

import numpy as np

from seire.organisation.models import OrgUnit


class Tree:
    """Unit id → the ids of the unit and every unit above it; and the same as arrays over
    dense unit numbers (units in id order), for grouping with numpy."""

    def __init__(self):
        units = sorted(OrgUnit.objects.values_list("pk", "path"))
        by_path = {path: pk for pk, path in units}
        self.up: dict[int, list[int]] = {}
        for pk, path in units:
            codes = path.rstrip("/").split("/")
            self.up[pk] = [
                by_path["/".join(codes[:i]) + "/"]
                for i in range(1, len(codes) + 1)
                if "/".join(codes[:i]) + "/" in by_path
            ]
        self.depth = {pk: path.count("/") for pk, path in units}
        self.ids = np.array([pk for pk, _ in units], dtype=np.int64)  # dense number → id
        self.dense = np.full(max(self.up, default=0) + 2, -1, dtype=np.int64)  # id → number
        self.dense[self.ids] = np.arange(len(self.ids))
        depths = sorted(set(self.depth.values()))
        slot = {d: i for i, d in enumerate(depths)}
        # For every depth of the tree: dense number → its unit's dense number at that depth.
        self.above = [np.full(len(self.ids), -1, dtype=np.int64) for _ in depths]
        for pk, ancestors in self.up.items():
            for ancestor in ancestors:
                self.above[slot[self.depth[ancestor]]][self.dense[pk]] = self.dense[ancestor]

    def numbers(self, ids: np.ndarray) -> np.ndarray:
        """The dense numbers of unit ids (-1: no unit, or a unit made since)."""
        inside = (ids >= 0) & (ids < len(self.dense))
        return np.where(inside, self.dense[np.where(inside, ids, -1)], -1)
