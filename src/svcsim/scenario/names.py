"""Names in scenario files: one rule for every name a planner writes.

A name is text in any script (``hotline``, ``贵宾组``, ``Équipe 2``): not
empty, no spaces at either end, no control characters. Names that make up a
contact type ``channel/tier`` (channels, tiers, stages) also leave out the
pattern characters ``/ * ? [ ]``, since standards and skills match contact
types with them.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator, WithJsonSchema

PATTERN_CHARACTERS = "/*?[]"
MAX_LENGTH = 80


def check_name(value: str, *, in_patterns: bool = False) -> str:
    """Return ``value`` if it is a valid name, else raise ``ValueError`` saying why.

    Parameters
    ----------
    value : str
        The name as written.
    in_patterns : bool
        True for names that are part of a contact type (channel, tier,
        stage): the pattern characters are then not allowed.
    """
    if not value.strip():
        raise ValueError("a name cannot be empty")
    if value != value.strip():
        raise ValueError(f"'{value}': remove the spaces at the start or end of the name")
    if len(value) > MAX_LENGTH:
        raise ValueError(f"'{value[:20]}...': a name has at most {MAX_LENGTH} characters")
    control = [c for c in value if unicodedata.category(c).startswith("C")]
    if control:
        raise ValueError(f"{value!r}: a name cannot hold control characters "
                         f"(found U+{ord(control[0]):04X})")
    if in_patterns:
        used = sorted({c for c in value if c in PATTERN_CHARACTERS})
        if used:
            raise ValueError(
                f"'{value}': channel, tier and stage names cannot hold {' '.join(used)} "
                "(contact types are written channel/tier, matched with * ? [ ]); "
                "use another character such as '_' or '-'")
    return value


def _pattern_name(value: str) -> str:
    return check_name(value, in_patterns=True)


_SCHEMA = {"type": "string", "minLength": 1, "maxLength": MAX_LENGTH,
           "description": "any script; no spaces at either end, no control characters"}

Name = Annotated[str, AfterValidator(check_name), WithJsonSchema(_SCHEMA)]
"""A name: pools, standards, shift rules, shift types, breaks."""

PatternName = Annotated[str, AfterValidator(_pattern_name), WithJsonSchema(
    {**_SCHEMA, "pattern": r"^[^/*?\[\]]+$",
     "description": _SCHEMA["description"] + "; none of / * ? [ ]"})]
"""A name inside contact types: channels, tiers, stages."""

__all__ = ["Name", "PatternName", "check_name"]
