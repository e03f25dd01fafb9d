"""A self-contained HTML report of a conformance run.

One file, no scripts, no external assets: inline CSS, the device under test and operator, a summary table with
failures and errors first, per-case details (``<details>`` elements, open for failures and errors, each with the
case's redacted APDU trace) and an inline SVG chart of per-APDU latency percentiles.
"""

from __future__ import annotations

import re
from html import escape as _html_escape
from pathlib import Path

from chipid.conformance.model import CaseResult, Outcome, SuiteResult
from chipid.conformance.stats import percentile

__all__ = ["latency_chart_svg", "render_html", "write_html"]

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _escape(text: str) -> str:
    """HTML-escape ``text`` and replace control characters (a misbehaving card's bytes) with U+FFFD."""
    return _html_escape(_CONTROL.sub("\ufffd", text))


_COLOURS = {
    Outcome.PASS: "#1a7f37",
    Outcome.FAIL: "#cf222e",
    Outcome.SKIP: "#9a6700",
    Outcome.ERROR: "#8250df",
}
_BARS = (("p50", 50, "#0969da"), ("p90", 90, "#bf8700"), ("p99", 99, "#cf222e"))

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px;color:#1f2328;
background:#fff;max-width:1100px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #d0d7de}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa}td.num{text-align:right;font-variant-numeric:tabular-nums}td.id{white-space:nowrap}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;color:#fff;font-weight:600;font-size:12px}
.counts span{margin-right:10px}.verdict{font-size:16px;font-weight:700;margin:10px 0}
details{border:1px solid #d0d7de;border-radius:6px;margin:6px 0;padding:4px 10px}
summary{cursor:pointer;font-weight:600}code,.mono{font-family:ui-monospace,Menlo,Consolas,monospace}
ul{margin:4px 0 4px 18px;padding:0}.muted{color:#656d76}
pre.trace{background:#f6f8fa;padding:6px;font-size:11px;max-height:360px;overflow:auto;white-space:pre-wrap}
"""


def _badge(outcome: Outcome) -> str:
    return f'<span class="badge" style="background:{_COLOURS[outcome]}">{outcome.value}</span>'


def latency_chart_svg(results: tuple[CaseResult, ...]) -> str:
    """Inline SVG: p50/p90/p99 per-APDU latency bars for every case that exchanged APDUs."""
    rows = [(r.id, [percentile(r.latencies_ms, q) for _, q, _ in _BARS]) for r in results if r.latencies_ms]
    if not rows:
        return '<p class="muted">No APDU was exchanged.</p>'
    top = max(max(values) for _, values in rows) or 1.0
    left, width, row_h = 90, 560, 24
    bottom = 22 + row_h * len(rows)
    height = bottom + 22
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 90}" height="{height}" '
        f'role="img" aria-label="APDU latency percentiles per case" font-size="11" font-family="sans-serif">'
    ]
    for i in range(5):
        x = left + width * i / 4
        parts.append(f'<line x1="{x:.1f}" y1="18" x2="{x:.1f}" y2="{bottom}" stroke="#d0d7de"/>')
        parts.append(f'<text x="{x:.1f}" y="12" text-anchor="middle">{top * i / 4:.2f} ms</text>')
    for n, (case_id, values) in enumerate(rows):
        y = 22 + n * row_h
        parts.append(f'<text x="{left - 6}" y="{y + 13}" text-anchor="end">{_escape(case_id)}</text>')
        for k, ((label, _, colour), value) in enumerate(zip(_BARS, values, strict=True)):
            w = max(width * value / top, 1.0)
            parts.append(
                f'<rect x="{left}" y="{y + k * 6}" width="{w:.1f}" height="5" fill="{colour}">'
                f"<title>{_escape(case_id)} {label} {value:.3f} ms</title></rect>"
            )
        parts.append(f'<text x="{left + width + 6}" y="{y + 13}">{values[2]:.2f} ms</text>')
    for k, (label, _, colour) in enumerate(_BARS):
        lx = left + k * 110
        parts.append(f'<rect x="{lx}" y="{bottom + 8}" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{lx + 14}" y="{bottom + 17}">{label} latency</text>')
    parts.append("</svg>")
    return "".join(parts)


def _case_details(result: CaseResult) -> str:
    opened = " open" if result.outcome in (Outcome.FAIL, Outcome.ERROR) else ""
    out = [
        f'<details id="{_escape(result.id)}"{opened}><summary>{_badge(result.outcome)} '
        f"{_escape(result.id)} &mdash; {_escape(result.case.title)}</summary>",
        f"<p><b>Clause:</b> {_escape(result.case.clause)}<br><b>Prerequisites:</b> "
        f"{_escape(', '.join(result.case.prerequisites) or '-')}<br>"
        f"<b>Time:</b> {result.duration_s:.3f} s</p>",
    ]
    if result.message:
        out.append(f"<p><b>Result:</b> {_escape(result.message)}</p>")
    if result.measurements:
        out.append("<table><tr><th>Measurement</th><th>Value</th><th>Unit</th></tr>")
        out += [
            f'<tr><td>{_escape(m.name)}</td><td class="num">{m.value:g}</td><td>{_escape(m.unit)}</td></tr>'
            for m in result.measurements
        ]
        out.append("</table>")
    if result.details:
        out.append('<ul class="mono">' + "".join(f"<li>{_escape(d)}</li>" for d in result.details) + "</ul>")
    if result.trace:
        out.append(f'<p><b>APDU trace</b> <span class="muted">(secrets redacted; {len(result.trace)} lines)</span>'
                   f'</p><pre class="mono trace">{_escape(chr(10).join(result.trace))}</pre>')
    out.append("</details>")
    return "".join(out)


def render_html(result: SuiteResult) -> str:
    """The complete HTML document for ``result``."""
    env = result.environment
    counts = "".join(f"<span>{_badge(o)} {result.count(o)}</span>" for o in Outcome)
    verdict = "Conformant (no FAIL or ERROR)" if result.ok else "Not conformant"
    colour = _COLOURS[Outcome.PASS] if result.ok else _COLOURS[Outcome.FAIL]
    rows = "".join(
        f'<tr><td class="mono id"><a href="#{_escape(r.id)}">{_escape(r.id)}</a></td>'
        f"<td>{_escape(r.case.title)}</td>"
        f"<td>{_escape(r.case.clause)}</td><td>{_badge(r.outcome)}</td>"
        f'<td class="num">{r.duration_s:.3f}</td><td>{_escape(r.message)}</td></tr>'
        for r in result.failures_first()
    )
    env_rows = "".join(
        f"<tr><th>{_escape(k)}</th><td class='mono'>{_escape(v)}</td></tr>"
        for k, v in (
            ("Device under test", env.device_under_test or "-"),
            ("Operator", env.operator or "-"),
            ("Reader", env.reader),
            ("ATR", env.atr.hex(" ").upper() or "-"),
            ("chipid", env.chipid_version),
            ("Python", env.python_version),
            ("Platform", env.platform),
            ("Started (UTC)", env.started_at),
            ("Duration", f"{result.duration_s:.2f} s"),
        )
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>chipid conformance report</title><style>{_CSS}</style></head><body>"
        "<h1>chipid conformance report</h1>"
        f'<p class="muted">ICAO 9303 / ISO/IEC 7816-4 / ISO/IEC 14443-4 reader and card checks</p>'
        f'<div class="counts">{counts}</div><div class="verdict" style="color:{colour}">{verdict}</div>'
        f"<h2>Environment</h2><table>{env_rows}</table>"
        "<h2>Summary</h2><table><tr><th>ID</th><th>Purpose</th><th>Clause</th><th>Result</th>"
        f"<th>Time (s)</th><th>Message</th></tr>{rows}</table>"
        f"<h2>APDU latency</h2>{latency_chart_svg(result.results)}"
        "<h2>Details</h2>" + "".join(_case_details(r) for r in result.failures_first()) + "</body></html>\n"
    )


def write_html(result: SuiteResult, path: str | Path) -> Path:
    """Write the HTML report of ``result`` to ``path`` (UTF-8); returns the path."""
    target = Path(path)
    target.write_text(render_html(result), encoding="utf-8")
    return target
