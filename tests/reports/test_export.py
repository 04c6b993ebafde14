"""`relay report`: the weekly report's data as CSV, JSON or Markdown, redacted."""

import csv
import io
import json

import pytest

from app.cli import main
from tests.reports.test_weekly import SECRET, SLOT, stored_week


@pytest.fixture
def exported(fresh, fresh_url, monkeypatch, capsys):
    keys = stored_week(fresh)
    monkeypatch.setenv("DATABASE_URL", fresh_url)
    end = (SLOT.date().replace(day=29)).isoformat()  # Sunday: the period ends with that day

    def run(fmt, *more):
        assert main(["report", "--period", "4w", "--format", fmt, "--end", end, *more]) == 0
        return capsys.readouterr().out

    return keys, run


def test_csv_has_the_figures_and_the_breaches_redacted(exported):
    keys, run = exported
    text = run("csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    overall = next(r for r in rows if r["group"] == "all")
    assert (overall["tickets"], overall["within_sla"]) == ("3", "0.6666666666666666")
    sev2 = next(r for r in rows if r["group"] == "severity" and r["value"] == "Sev2")
    assert (sev2["tickets"], sev2["resolution_within"]) == ("1", "0.0")
    [breach] = [r for r in rows if r["section"] == "breach"]
    assert (breach["key"], breach["clock"], breach["late_minutes"]) == (
        keys[1],
        "resolution",
        "180.0",
    )
    assert breach["title"] == "Login fails, token [redacted: Slack token]"
    assert SECRET not in text


def test_json_and_markdown_say_the_same(exported):
    keys, run = exported
    data = json.loads(run("json"))
    assert data["summary"]["overall"]["tickets"] == 3
    assert [sum(v["tickets"] for v in w["by_severity"].values()) for w in data["weeks"]] == [
        0,
        1,
        0,
        2,
    ]
    assert data["worst_breaches"][0]["title"] == "Login fails, token [redacted: Slack token]"
    markdown = run("md")
    assert markdown.startswith("# Escalation report 2026-11-02 – 2026-11-30")
    # no first response recorded; resolutions 1h, 7h, 2h: median 2h
    assert "| All | 3 | — | — | 2h | " in markdown
    assert f"- {keys[1]} Sev2 Login fails, token [redacted: Slack token] (Identity)" in markdown
    assert SECRET not in markdown + json.dumps(data)


def test_output_file_and_bad_arguments(exported, tmp_path, capsys):
    _, run = exported
    out = tmp_path / "report.md"
    said = run("md", "--output", str(out))
    assert said.startswith(f"relay report: wrote {out} (md, 4 weeks to 2026-11-30 00:00 UTC)")
    assert out.read_text().startswith("# Escalation report")
    assert main(["report", "--period", "month"]) == 2
    assert "--period is `week` or a number of weeks like `4w`" in capsys.readouterr().err
    assert main(["report", "--end", "30/11/2026"]) == 2
    assert "--end is a date like 2026-11-29" in capsys.readouterr().err
