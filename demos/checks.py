"""Checking what callers pass in, with messages that name the argument and say what it got."""

import operator


def whole_number(value, name, minimum, maximum=None):
    """``value`` as an int from ``minimum`` (up to ``maximum``), or a ValueError naming ``name``."""
    wanted = f"a whole number from {minimum} to {maximum}" if maximum is not None else "a whole number"
    try:
        if isinstance(value, bool):  # an int to Python, never a count to a reader
            raise TypeError
        number = operator.index(value)
    except TypeError:
        raise ValueError(f"{name} must be {wanted}, got {value!r}") from None
    if number < minimum or (maximum is not None and number > maximum):
        raise ValueError(f"{name} must be {wanted if maximum is not None else f'at least {minimum}'}, got {number}")
    return number
