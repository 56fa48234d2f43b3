"""The one exception type for bad input, and the wording of its messages."""

from __future__ import annotations

import difflib
import reprlib
from collections.abc import Iterable, Sequence
from typing import Any


class ScenarioError(ValueError):
    """A scenario (or a file it names) is invalid.

    The message names the file, the field path (``pools[1].skills[0].priority``)
    and what is expected, one problem a line.

    Attributes
    ----------
    source : str
        The file (or ``<dict>``) the scenario came from.
    problems : tuple of (path, message)
        Every problem found; ``path`` is ``""`` for the document as a whole.
    """

    def __init__(self, source: str, problems: Sequence[tuple[str, str]]):
        self.source = source
        self.problems = tuple(problems)
        super().__init__(self._render())

    def _render(self) -> str:
        shown = [(_cut(str(path), MAX_PATH_CHARS), _cut(str(message), MAX_MESSAGE_CHARS))
                 for path, message in self.problems[:MAX_PROBLEMS_SHOWN]]
        if len(self.problems) == 1:
            path, message = shown[0]
            where = f"{self.source}: {path}: " if path else f"{self.source}: "
            return where + message
        lines = [f"{self.source}: {len(self.problems)} problems"]
        lines += [f"  - {path}: {message}" if path else f"  - {message}"
                  for path, message in shown]
        hidden = len(self.problems) - len(shown)
        if hidden:
            lines.append(f"  ... and {hidden} more like these (fix the ones above first)")
        return "\n".join(lines)


MAX_PROBLEMS_SHOWN = 12
"""Problems listed in one message; the rest are counted."""

MAX_MESSAGE_CHARS = 400
MAX_PATH_CHARS = 120


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class StaffingError(ScenarioError):
    """A staffing table (CSV or array) does not fit the scenario."""


_SHOWN = reprlib.Repr()
_SHOWN.maxlevel, _SHOWN.maxlist, _SHOWN.maxdict, _SHOWN.maxtuple = 2, 4, 4, 4
_SHOWN.maxstring, _SHOWN.maxother, _SHOWN.maxlong = 60, 60, 40


def shown(value: Any) -> str:
    """``repr(value)`` cut to a few dozen characters, whatever its size."""
    return _SHOWN.repr(value)


def format_path(loc: Iterable[object]) -> str:
    """Render a field location as ``pools[1].skills[0].priority``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """Return `` (did you mean 'x'?)`` when a close choice exists, else ``""``."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
