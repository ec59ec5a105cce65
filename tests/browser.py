"""Headless Chromium (Debian's `chromium`, installed by .ci/run) for report tests: open a page,
measure its charts and read its text with JavaScript, no screenshots.

A copy of the page gets a script appended that measures, in the laid-out page, each chart's
plot area, bars and x labels (the ids evals/charts.py gives them) and reads the page's text;
`chromium --dump-dom` prints the DOM after the script ran, and the result is read back from it.
"""
from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--window-size=1280,2000"]
MEASURE = """<script>(function () {
  function box(e) { var r = e.getBoundingClientRect();
    return {left: r.left, right: r.right, top: r.top, bottom: r.bottom, height: r.height}; }
  var result = {text: document.body.textContent, charts: []};
  document.querySelectorAll("figure.chart").forEach(function (figure) {
    var name = figure.dataset.chart;
    function all(kind) {
      return Array.prototype.filter.call(figure.querySelectorAll("[id^='" + name + "-" + kind + "-']"),
        function (e) { return /-\\d+$/.test(e.id); }).map(box); }
    var plot = figure.querySelector("[id='" + name + "-plot']");
    result.charts.push({name: name, axis: figure.dataset.axis, svg: box(figure.querySelector("svg")),
                        plot: plot ? box(plot) : null, bars: all("bar"), labels: all("label")});
  });
  var pre = document.createElement("pre");
  pre.id = "pdbot-measured";
  pre.textContent = JSON.stringify(result);
  document.body.appendChild(pre);
})();</script>"""
SAFE_SYMBOLS = set("›×“”‘’•–—…")  # beyond ASCII, what the report writes; in DejaVu and Liberation


def require_chromium() -> str:
    """The Chromium binary, or skip the test saying how to get it."""
    if CHROMIUM is None:
        pytest.skip("chromium is not installed: `apt-get install chromium` (.ci/run installs it)")
    return CHROMIUM


def measure_page(page: Path, work: Path) -> dict:
    """Open a copy of `page` in headless Chromium; {"text", "charts": [{name, axis, svg, plot,
    bars, labels}]}, boxes in CSS pixels (top grows downwards)."""
    binary = require_chromium()
    work.mkdir(parents=True, exist_ok=True)
    copy = work / f"measured-{page.name}"
    copy.write_text(page.read_text().replace("</body>", MEASURE + "</body>"))
    run = subprocess.run([binary, *FLAGS, f"--user-data-dir={work / 'profile'}", "--dump-dom",
                          copy.as_uri()], capture_output=True, text=True, timeout=180)
    found = re.search(r'<pre id="pdbot-measured">(.*?)</pre>', run.stdout, re.S)
    assert found, f"chromium printed no measurements (exit {run.returncode}): {run.stderr[-2000:]}"
    return json.loads(html.unescape(found.group(1)))


def chart_problems(chart: dict) -> list[str]:
    """What is wrong with one measured chart: a bar outside the plot, a count axis that leaves
    the tallest bar short of half the plot, x labels that overlap or leave the picture."""
    name, plot, problems = chart["name"], chart["plot"], []
    bars = [b for b in chart["bars"] if b["height"] > 0]
    if plot is None or not bars:
        return [f"{name}: no plot area or no bars found"]
    tallest = min(b["top"] for b in bars)
    if tallest < plot["top"] - 1 or max(b["bottom"] for b in bars) > plot["bottom"] + 1:
        problems.append(f"{name}: tallest bar top {tallest:.0f}px is outside the plot "
                        f"({plot['top']:.0f}-{plot['bottom']:.0f}px)")
    if chart["axis"] == "count" and plot["bottom"] - tallest < 0.5 * plot["height"]:
        problems.append(f"{name}: tallest bar fills under half of the count axis")
    labels = sorted(chart["labels"], key=lambda b: b["left"])
    for left, right in zip(labels, labels[1:]):
        if left["right"] > right["left"]:
            problems.append(f"{name}: x labels overlap at {right['left']:.0f}px")
    if labels and (labels[0]["left"] < chart["svg"]["left"] - 1
                   or labels[-1]["right"] > chart["svg"]["right"] + 1):
        problems.append(f"{name}: x labels run outside the chart")
    return problems


def glyph_problems(text: str) -> list[str]:
    """Characters a machine without an emoji font draws as empty boxes (emoji, variation
    selectors), U+FFFD, and anything beyond ASCII that the report does not mean to write."""
    bad = {ch for ch in text if ord(ch) > 127 and ch not in SAFE_SYMBOLS}
    return [f"U+{ord(ch):04X} {unicodedata.name(ch, '?')}" for ch in sorted(bad)]
