"""`{{ unit.path|depth_below:top.path }}`: how many levels a tree path lies below another,
so the unit tree is indented by a class (`tree__item--depth-N`) rather than an inline style,
which the Content-Security-Policy (`style-src 'self'`) would refuse."""

from django import template

register = template.Library()
MAX_DEPTH = 8


@register.filter
def depth_below(path: str, top: str) -> int:
    return max(0, min(MAX_DEPTH, str(path).count("/") - str(top).count("/")))
