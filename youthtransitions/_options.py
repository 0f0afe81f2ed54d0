"""Options declared once: ``Literal`` choices and whole-number ranges, checked by one helper.

An option's allowed values live in its ``Literal`` type alias; :func:`check_choice` reads them
from the alias, so the type annotation and the run-time check can never disagree.
"""

from __future__ import annotations

import numbers
from typing import Any, get_args

from .errors import UsageError

__all__ = ["check_choice", "check_count", "check_level", "choices_of"]


def choices_of(literal: Any) -> tuple[Any, ...]:
    """The allowed values of a ``Literal[...]`` alias (or a tuple of values, as given)."""
    if isinstance(literal, tuple):
        return literal
    values = get_args(literal)
    if not values:
        raise TypeError(f"{literal!r} is not a Literal type")
    return values


def check_choice(name: str, value: Any, literal: Any) -> Any:
    """Return ``value`` if it is one of the values of ``literal``, else raise UsageError.

    Parameters
    ----------
    name : str
        The option's name as the user typed it (``"method"``, ``"--family"``).
    value
        The value given.
    literal : typing.Literal alias or tuple
        The allowed values.

    Examples
    --------
    >>> from typing import Literal
    >>> check_choice("method", "reml", Literal["reml", "ml"])
    'reml'
    """
    allowed = choices_of(literal)
    if value not in allowed:
        raise UsageError(f"{name} must be one of {', '.join(map(str, allowed))}; got {value!r}")
    return value


def check_count(name: str, value: Any, *, minimum: int = 1, maximum: int | None = None) -> int:
    """Return ``value`` as an int if it is a whole number in ``[minimum, maximum]``.

    Booleans and non-integral floats are refused: ``B=True`` or ``m=2.5`` is a mistake, not
    a count.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        if not (isinstance(value, numbers.Real) and not isinstance(value, bool)
                and float(value).is_integer()):
            raise UsageError(f"{name} must be a whole number, got {value!r}")
    number = int(value)
    if number < minimum or (maximum is not None and number > maximum):
        upper = f" and at most {maximum}" if maximum is not None else ""
        raise UsageError(f"{name} must be at least {minimum}{upper}, got {value!r}")
    return number


def check_level(level: Any, name: str = "level") -> float:
    """``level`` (a confidence level) as a float strictly between 0 and 1, else UsageError."""
    if isinstance(level, bool) or not isinstance(level, numbers.Real) or not 0 < level < 1:
        raise UsageError(f"{name} must lie strictly between 0 and 1 (e.g. 0.95), got {level!r}")
    return float(level)
