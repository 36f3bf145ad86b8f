"""Cell-key perturbation and the audit of perturbative methods (exact recovery)."""

import hashlib
import hmac

import numpy as np
import pandas as pd
import pytest

from seire.disclosure import (
    KEY_RANGE,
    TOTAL,
    DisclosureError,
    PTable,
    audit_ranges,
    cell_key_range,
    cells_from_records,
    perturb,
    record_keys,
    round_table,
    rounding_range,
)


def records(n=300, seed=5):
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "id": [f"episode:{i}" for i in range(n)],
            "county": rng.choice(["harju", "tartu", "ida"], n, p=[0.7, 0.25, 0.05]),
            "gender": rng.choice(["f", "m", "x"], n, p=[0.6, 0.38, 0.02]),
        }
    )


def test_record_keys_are_hmacs_of_the_secret_and_the_id():
    expected = int.from_bytes(hmac.new(b"s3", b"episode:7", hashlib.sha256).digest()[:4], "big")
    assert record_keys(["episode:7"], "s3").tolist() == [expected]
    assert record_keys(["episode:7"], "other").tolist() != [expected]
    with pytest.raises(DisclosureError, match="needs a secret"):
        record_keys(["episode:7"], "")


def test_a_cell_key_is_the_sum_of_its_record_keys_and_totals_follow_from_the_parts():
    frame = records()
    cells = cells_from_records(frame, ["county", "gender"], "id", "s3")
    keys = dict(zip(frame.id, record_keys(frame.id, "s3").tolist(), strict=True))
    for row in cells.itertuples():
        mine = frame[(frame.county == row.county) & (frame.gender == row.gender)]
        assert row.count == len(mine)
        assert row.cell_key == sum(keys[i] for i in mine.id) % KEY_RANGE


def test_every_row_of_the_ptable_is_unbiased_bounded_and_avoids_small_counts():
    table = PTable(max_noise=2, variance=1.0, small=2)
    for count in range(0, 40):
        outputs, probabilities = table.row(count)
        assert abs(probabilities.sum() - 1) < 1e-9 and (probabilities >= 0).all()
        assert abs(float(outputs @ probabilities) - count) < 1e-6  # mean is the count
        assert (np.abs(outputs - count) <= 2).all() and (outputs >= 0).all()
        assert not ((outputs >= 1) & (outputs <= 2) & (probabilities > 0)).any()
        if count >= 7:  # well above the small counts: the stated variance
            assert abs(float(((outputs - count) ** 2) @ probabilities) - 1.0) < 1e-6
    assert table.row(0)[0].tolist() == [0]


def test_the_same_cell_gets_the_same_noise_in_every_table_and_release():
    frame = records()
    cells = cells_from_records(frame, ["county", "gender"], "id", "s3")
    first = perturb(cells, ["county", "gender"], "count", publish=[("county", "gender")])
    again = perturb(
        cells.sample(frac=1, random_state=1), ["county", "gender"], "count",
        publish=[("county",), ("county", "gender")],
    )  # fmt: skip
    shared = again[again.table == "county,gender"].set_index(["county", "gender"])["count"]
    assert first.set_index(["county", "gender"])["count"].to_dict() == shared.to_dict()
    by_county = again[again.table == "county"].set_index("county")["count"]
    assert by_county.loc[TOTAL] == shared.loc[(TOTAL, TOTAL)]  # one cell, one value
    truth = frame.groupby("county").size()
    for county, n in truth.items():  # within ±2 of the truth, never 1 or 2
        assert abs(by_county.loc[county] - n) <= 2 and by_county.loc[county] not in (1, 2)
    assert set(first.status) == {"perturbed"} and "±2" in first.method.iloc[0]
    # another secret: other keys, other noise somewhere
    other = perturb(
        cells_from_records(frame, ["county", "gender"], "id", "other"), ["county", "gender"],
        "count",
    )  # fmt: skip
    assert list(other["count"]) != list(first["count"])


def test_bad_ptable_parameters_and_cell_keys_are_refused():
    with pytest.raises(DisclosureError, match="small"):
        PTable(max_noise=1, small=2)
    with pytest.raises(DisclosureError, match="variance"):
        PTable(max_noise=2, variance=5.0)
    cells = pd.DataFrame({"g": ["f", "m"], "n": [3, 4], "cell_key": [5, -1]})
    with pytest.raises(DisclosureError) as error:
        perturb(cells, ["g"], "n")
    assert (error.value.row, error.value.column) == (1, "cell_key")


def test_the_rounding_audit_narrows_a_cell_as_worked_out_by_hand():
    # 1 → 0 (true 0..2), 7 → 5 (3..7), total 8 → 10 (8..12): the first is at least 8 - 7
    frame = pd.DataFrame({"g": ["f", "m"], "n": [1, 7]})
    out = round_table(frame, ["g"], "n", base=5).assign(table="g")
    result = audit_ranges(out, frame, ["g"], "n", rounding_range(5))
    assert result[["g", "low", "high", "exact"]].values.tolist() == [["f", 1, 2, False]]


def test_the_rounding_audit_finds_a_cell_recovered_exactly():
    # base 3: 1 → 0 (0..1), 4 → 3 (2..4), total 5 → 6 (5..7): only 1 + 4 reaches 5
    frame = pd.DataFrame({"g": ["f", "m"], "n": [1, 4]})
    out = round_table(frame, ["g"], "n", base=3).assign(table="g")
    result = audit_ranges(out, frame, ["g"], "n", rounding_range(3))
    assert result[["g", "low", "high", "exact"]].values.tolist() == [
        ["f", 1, 1, True],
        ["m", 4, 4, True],
    ]


def test_the_cell_key_audit_finds_no_exact_recovery_in_a_2d_table():
    frame = records()
    cells = cells_from_records(frame, ["county", "gender"], "id", "s3")
    out = perturb(cells, ["county", "gender"], "count")
    result = audit_ranges(out, cells, ["county", "gender"], "count", cell_key_range(PTable()))
    small = [(c, g) for (c, g), n in frame.groupby(["county", "gender"]).size().items() if n < 5]
    assert sorted(zip(result.county, result.gender, strict=True)) == sorted(small)
    assert not result.exact.any()
    assert (result.low <= result["count"]).all() and (result["count"] <= result.high).all()


def test_a_published_count_the_ptable_cannot_give_is_refused():
    frame = pd.DataFrame({"g": ["f", "m"], "n": [3, 9]})
    out = pd.DataFrame(
        {"table": ["g"] * 3, "g": ["f", "m", TOTAL], "n": [1, 9, 12]}
    )  # 1 is never published
    with pytest.raises(DisclosureError, match="cannot be published"):
        audit_ranges(out, frame, ["g"], "n", cell_key_range(PTable()))
