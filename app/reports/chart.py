"""The weekly report's chart: tickets per week by severity (bars) and the share within SLA
by severity (lines), as a PNG. matplotlib with the Agg backend (no display)."""

import io

import matplotlib

matplotlib.use("Agg")
from matplotlib.figure import Figure  # noqa: E402 - after choosing the backend

COLOURS = {"1": "#c0392b", "2": "#e67e22", "3": "#2980b9", "4": "#7f8c8d"}


def chart_png(series: dict) -> bytes:
    weeks = [w[5:] for w in series["weeks"]]  # MM-DD
    figure = Figure(figsize=(8, 5), dpi=100)
    volume, within = figure.subplots(2, 1, sharex=True)
    bottom = [0] * len(weeks)
    for sev, counts in sorted(series["volume"].items()):
        colour = COLOURS.get(sev, "#555555")
        volume.bar(weeks, counts, bottom=bottom, label=f"Sev{sev}", color=colour)
        bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
    volume.set_ylabel("tickets")
    if series["volume"]:  # a legend of nothing is a warning
        volume.legend(loc="upper left", fontsize="small", ncols=4)
    volume.set_title("Escalations by week (opened; no drills)")
    for sev, shares in sorted(series["within"].items()):
        points = [(w, s * 100) for w, s in zip(weeks, shares, strict=True) if s is not None]
        if points:
            xs, ys = zip(*points, strict=True)
            within.plot(xs, ys, marker="o", label=f"Sev{sev}", color=COLOURS.get(sev, "#555555"))
    within.set_ylim(0, 105)
    within.set_ylabel("% within SLA")
    within.set_xlabel("week starting")
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()
