"""Checking what callers pass in, with messages that name the argument and say what it got."""

import operator


def whole_number(value, name, minimum):
    """``value`` as an int of at least ``minimum``, or a ValueError naming ``name``."""
    try:
        number = operator.index(value)
    except TypeError:
        raise ValueError(f"{name} must be a whole number, got {value!r}") from None
    if number < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {number}")
    return number
