"""Seire's statistics: proportions with intervals, scores, effect sizes (pure: no Django)."""

from seire.stats.association import holm, spearman_interval
from seire.stats.change import (
    PairedChange,
    paired_change,
    reliable_change,
    reliable_change_summary,
)
from seire.stats.estimate import Estimate
from seire.stats.means import difference_in_differences, mean_interval, standardised_difference
from seire.stats.proportions import (
    ProportionDifference,
    nps,
    top_box_share,
    two_proportion_test,
    wilson_interval,
)
from seire.stats.scores import who5_score

__all__ = [
    "Estimate",
    "PairedChange",
    "ProportionDifference",
    "difference_in_differences",
    "holm",
    "mean_interval",
    "nps",
    "paired_change",
    "reliable_change",
    "reliable_change_summary",
    "spearman_interval",
    "standardised_difference",
    "top_box_share",
    "two_proportion_test",
    "who5_score",
    "wilson_interval",
]
