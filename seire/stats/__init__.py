"""Seire's statistics: proportions with intervals, scores, effect sizes (pure: no Django)."""

from seire.stats.proportions import wilson_interval

__all__ = ["wilson_interval"]
