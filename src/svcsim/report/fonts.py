"""Chinese, Japanese and Korean text in charts: a CJK font as matplotlib's fallback.

matplotlib draws every label with its first font (DejaVu Sans), which has no
CJK glyphs, so names such as '贵宾组' come out as empty boxes. This module
finds a CJK font on the system once and puts it after the default font, so
Latin text keeps its look and CJK characters fall back to the CJK font.

Where no CJK font is installed, install one: ``apt-get install fonts-noto-cjk``
(Debian, Ubuntu), ``dnf install google-noto-sans-cjk-fonts`` (Fedora); macOS
and Windows ship one (PingFang, Microsoft YaHei). A font installed after
matplotlib built its font cache is found too: the system's font files are
searched by name.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import matplotlib
from matplotlib import font_manager

# Families that cover simplified Chinese, best first.
CJK_FAMILIES = (
    "Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans CJK TC", "Noto Sans CJK KR",
    "Source Han Sans SC", "Source Han Sans", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei",
    "Droid Sans Fallback", "PingFang SC", "Hiragino Sans GB", "Heiti SC", "STHeiti",
    "Microsoft YaHei", "SimHei", "Noto Serif CJK SC", "Noto Serif CJK JP", "AR PL UMing CN",
    "Arial Unicode MS",
)
_CJK_FILES = re.compile(r"(NotoSansCJK|NotoSerifCJK|SourceHanSans|wqy-|DroidSansFallback|"
                        r"PingFang|msyh|simhei|uming|ukai)", re.IGNORECASE)


def _known_family() -> str | None:
    names = {font.name for font in font_manager.fontManager.ttflist}
    return next((family for family in CJK_FAMILIES if family in names), None)


@functools.cache
def cjk_family() -> str | None:
    """The CJK font family charts fall back to, or None when none is installed."""
    family = _known_family()
    if family is not None:
        return family
    for path in sorted(font_manager.findSystemFonts()):
        if _CJK_FILES.search(Path(path).name):
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError, ValueError):
                continue
    return _known_family()


def use_cjk_fallback() -> str | None:
    """Put the system's CJK font after the default sans-serif font (once).

    Returns
    -------
    str or None
        The CJK family used, or None when the system has none (charts then
        draw CJK characters as boxes: install ``fonts-noto-cjk``).
    """
    family = cjk_family()
    if family is None:
        return None
    current = list(matplotlib.rcParams["font.family"])
    if family in current:
        return family
    if current in (["sans-serif"], ["DejaVu Sans"]):
        current = [matplotlib.rcParams["font.sans-serif"][0]]
    matplotlib.rcParams["font.family"] = [*current, family]
    return family


__all__ = ["CJK_FAMILIES", "cjk_family", "use_cjk_fallback"]
