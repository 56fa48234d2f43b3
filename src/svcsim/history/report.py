"""Plain-text summaries of history fits, forecasts and replays for the CLI."""

from __future__ import annotations

from svcsim.history.fit import HistoryFit


def fit_summary(fit: HistoryFit) -> str:
    """What was fitted, with the confidence intervals, one line per item."""
    log = fit.log
    counts = log.counts()
    lines = [f"{log.source}: {len(log.contacts):,} contacts on {len(log.dates)} days, "
             + ", ".join(f"{n:,} {k}" for k, n in counts.items() if n)]
    if log.reclassified:
        lines.append(f"  {log.reclassified:,} abandons under {log.short_abandon_s:g} s "
                     "reclassified as short abandons")
    disp = fit.dispersion.set_index("contact_type")
    lines.append(f"day-to-day cv of the whole centre: {disp.loc['all', 'cv']:.3f} "
                 f"(95 % CI {disp.loc['all', 'cv_low']:.3f}-{disp.loc['all', 'cv_high']:.3f})")
    if len(fit.daily.types) > 1:
        lines.append(f"day factor shared by every contact type: cv {disp.loc['shared', 'cv']:.3f} "
                     f"(95 % CI {disp.loc['shared', 'cv_low']:.3f}-"
                     f"{disp.loc['shared', 'cv_high']:.3f})")
    lines.append(f"{'contact type':<22}{'per day':>9}{'day cv':>8}{'AHT s':>9}{'cv':>6}"
                 f"{'handle':>11}{'abandon':>9}{'patience s':>12}{'':>3}")
    handle = {h.contact_type: h for h in fit.handle}
    patience = {p.contact_type: p for p in fit.patience}
    per_day = fit.levels.groupby("contact_type")["mean_per_day"].mean()
    for name in fit.daily.types:
        h, p = handle.get(name), patience.get(name)
        lines.append(
            f"{name:<22}{per_day[name]:>9,.0f}{disp.loc[name, 'cv']:>8.3f}"
            + (f"{h.mean_s:>9.1f}{h.cv:>6.2f}{h.chosen:>11}" if h else f"{'-':>9}{'-':>6}{'-':>11}")
            + (f"{p.abandons / p.queued:>9.1%}{p.mean_s:>12.1f}{p.chosen[:3]:>3}"
               if p and p.queued and p.spec else f"{'-':>9}{'-':>12}"))
    lines.append(fit.pools.note)
    if (fit.concurrency.table["agents"] > 0).any():
        lines.append(fit.concurrency.note)
    if fit.staffing_note:
        lines.append(fit.staffing_note)
    lines += [f"note: {n}" for n in fit.notes]
    return "\n".join(lines)
