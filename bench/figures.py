"""The web bench's figures: percentiles, and the median and spread of several runs printed
Relay, bare Bolt and their ratio side by side."""

import statistics

ROWS = (  # key, label, unit
    ("click_p50", "changing click, {rate:g}/s, p50", "ms"),
    ("click_p99", "changing click, {rate:g}/s, p99", "ms"),
    ("click_cpu", "CPU per 1,000 changing clicks", "CPU-s"),
    ("new_p50", "/esc new, {rate:g}/s, p50", "ms"),
    ("new_p99", "/esc new, {rate:g}/s, p99", "ms"),
    ("commands_slowest", "burst of {burst} /esc new, slowest answer", "ms"),
    ("burst_slowest", "burst of {burst} Sev1 forms, slowest answer", "ms"),
    ("burst_all", "burst of {burst} Sev1 forms, all answered", "ms"),
    ("burst_failed", "burst of {burst} Sev1 forms, not acked", "forms"),
)


def pct(values: list[float], q: int) -> float:
    """The q-th percentile (inclusive method); NaN without values."""
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def number(value: float) -> str:
    return f"{value:.0f}" if value >= 100 else f"{value:.3g}"


def spread(values: list[float]) -> str:
    """median (min–max), or the one value."""
    values = [v for v in values if v == v]  # NaN: a run without answers
    if not values:
        return "-"
    med = statistics.median(values)
    if len(values) == 1:
        return number(med)
    return f"{number(med)} ({number(min(values))}–{number(max(values))})"


def table(runs: list[dict], *, rate: float = 50, burst: int = 50) -> list[str]:
    """runs: [{"Relay": {key: value}, "bare": {key: value}}, ...]."""
    width = max(len(label) for _, label, _ in ROWS) + 8
    lines = [f"{'':{width}} {'Relay':>22} {'bare Bolt':>22} {'ratio':>22}"]
    for key, label, unit in ROWS:
        relay = [run["Relay"][key] for run in runs]
        bare = [run["bare"][key] for run in runs]
        ratio = [r / b if b else float("nan") for r, b in zip(relay, bare, strict=True)]
        times = spread(ratio)
        times += "×" if times != "-" else ""
        cells = f"{spread(relay):>22} {spread(bare):>22} {times:>22}"
        label = label.format(rate=rate, burst=burst)
        lines.append(f"{label + ' (' + unit + ')':{width}} {cells}")
    return lines


def memory_lines(memory: dict) -> list[str]:
    """memory: {"Relay": {"start", "first", "second", "peak", "requests"}, "bare": ...}."""
    lines = []
    for name, m in memory.items():
        per = ", ".join
        growth = [b - a for a, b in zip(m["first"], m["second"], strict=False)]
        lines.append(
            f"{name:10} worker RSS MB: at start {per(f'{v:.0f}' for v in m['start'])}; "
            f"after {m['requests']:,} requests {per(f'{v:.0f}' for v in m['first'])}; "
            f"after {2 * m['requests']:,} {per(f'{v:.0f}' for v in m['second'])} "
            f"(growth {per(f'{v:+.1f}' for v in growth)}); "
            f"peak {per(f'{v:.0f}' for v in m['peak'])}"
        )
    return lines
