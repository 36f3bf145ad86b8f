"""Linked tables: each protected alone can be unsafe together; joint protection closes it."""

from itertools import product

import pandas as pd
import pytest

from seire.disclosure import TOTAL, DisclosureError, audit_linked, protect, protect_linked
from tests.disclosure.independent import all_cells, unprotected

DIMS = ["a", "b", "c"]
COUNTS = [4, 6, 0, 6, 2, 3, 4, 1, 9, 0, 1, 2, 3, 2, 1, 0, 0, 0]


def base():
    frame = pd.DataFrame(list(product("pqr", "xyz", "mf")), columns=DIMS)
    frame["n"] = COUNTS
    return frame


def protected_alone(frame, table, left_out):
    small = frame.groupby(list(table), as_index=False, sort=False).n.sum()
    out = protect(small, list(table), "n").assign(**{left_out: TOTAL})
    return out.assign(table=",".join(table))[["table", *DIMS, "n", "status"]]


def independently_unprotected(out, frame):
    levels = [list(pd.unique(frame[d])) for d in DIMS]
    inner = {tuple(r[:3]): r[3] for r in frame.itertuples(index=False)}
    cells = all_cells(inner, levels)
    published = {tuple(r) for r in out[out.status == "published"][DIMS].itertuples(index=False)}
    shown = {tuple(r) for r in out[DIMS].itertuples(index=False)}
    # cells of the cube no table shows are unknown to the reader, like suppressed ones
    suppressed = set(cells) - published
    return [k for k in unprotected(cells, suppressed, 5, 5, list(inner)) if k in shown]


def test_two_tables_safe_alone_are_unsafe_together_and_joint_protection_closes_it():
    frame = base()
    first = protected_alone(frame, ("a", "b"), "c")
    second = protected_alone(frame, ("a", "c"), "b")
    assert audit_linked(first, frame, DIMS, "n", 5).ok.all()
    assert audit_linked(second, frame, DIMS, "n", 5).ok.all()
    union = pd.concat([first, second], ignore_index=True)
    published = set(union[union.status == "published"][DIMS].itertuples(index=False))
    shared = union[DIMS].apply(tuple, axis=1).isin(published)
    union.loc[shared, "status"] = "published"  # a reader sees it in one of the tables
    assert not audit_linked(union, frame, DIMS, "n", 5).ok.all()

    joint = protect_linked(frame, DIMS, "n", [("a", "b"), ("a", "c")])
    assert set(joint.table) == {"a,b", "a,c"}
    assert audit_linked(joint, frame, DIMS, "n", 5).ok.all()
    assert independently_unprotected(joint, frame) == []
    small = joint[(joint.n > 0) & (joint.n < 5)]
    assert (small.status == "primary").all()


def test_earlier_published_cells_are_respected_or_refused():
    frame = base()
    earlier = protect_linked(frame, DIMS, "n", [("a",)])
    later = protect_linked(frame, DIMS, "n", [("a", "b")], fixed=earlier)
    assert audit_linked(later, frame, DIMS, "n", 5, fixed=earlier).ok.all()
    # an earlier release that published p/z/f = 3 and p/z = 5 pins p/z/m = 2
    leaked = pd.DataFrame(
        [("p", "z", "f", 3, "published"), ("p", "z", TOTAL, 5, "published")],
        columns=[*DIMS, "n", "status"],
    )
    with pytest.raises(DisclosureError, match=r"a=p, b=z, c=m \(value 2\) is pinned to \[2, 2\]"):
        protect_linked(frame, DIMS, "n", [("a", "b", "c")], fixed=leaked)
