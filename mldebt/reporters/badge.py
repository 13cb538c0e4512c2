"""The ML Test Score badge: a self-contained SVG in the flat shields.io style (no request to
any server when it is made or shown), and the JSON a shields.io endpoint badge reads."""

from __future__ import annotations

import json
from xml.sax.saxutils import escape

from mldebt.project.rubric import Score, band

LABEL = "ML Test Score"
_HEIGHT = 20
_PADDING = 6
#: Advance widths of Verdana at 11px (the font shields.io measures with), by character class;
#: the SVG names Verdana first and DejaVu Sans (a close metric match) as the fallback.
_WIDE = {"m": 10.7, "w": 8.9, "M": 9.9, "W": 11.0, "%": 11.0, "@": 11.0}
_NARROW = {"i": 3.1, "l": 3.1, "j": 3.4, "I": 4.3, "f": 3.9, "t": 4.3, "r": 4.7, " ": 3.9, ".": 3.9,
           ",": 3.9, ":": 4.6, "(": 4.6, ")": 4.6, "·": 4.6, "-": 4.6}


def _width(text: str) -> float:
    total = 0.0
    for char in text:
        if char in _WIDE:
            total += _WIDE[char]
        elif char in _NARROW:
            total += _NARROW[char]
        elif char.isupper():
            total += 7.6
        elif char.isdigit():
            total += 7.0
        else:
            total += 6.8
    return total


def message(score: Score) -> str:
    return f"{score.final:g} · {band(score.final)['short']}"


def svg(score: Score) -> str:
    """The badge: label "ML Test Score" on grey, the score and its band on the band's colour."""
    text, color = message(score), band(score.final)["color"]
    left = round(_width(LABEL) + 2 * _PADDING)
    right = round(_width(text) + 2 * _PADDING)
    total = left + right
    title = escape(f"{LABEL}: {score.final:g} ({score.band})")
    label, value = escape(LABEL), escape(text)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{total}" height="{_HEIGHT}" role="img" aria-label="{title}">\n'
        f"  <title>{title}</title>\n"
        '  <linearGradient id="s" x2="0" y2="100%">\n'
        '    <stop offset="0" stop-color="#bbb" stop-opacity=".1"/>\n'
        '    <stop offset="1" stop-opacity=".1"/>\n'
        "  </linearGradient>\n"
        f'  <clipPath id="r"><rect width="{total}" height="{_HEIGHT}" rx="3" fill="#fff"/></clipPath>\n'
        '  <g clip-path="url(#r)">\n'
        f'    <rect width="{left}" height="{_HEIGHT}" fill="#555"/>\n'
        f'    <rect x="{left}" width="{right}" height="{_HEIGHT}" fill="{color}"/>\n'
        f'    <rect width="{total}" height="{_HEIGHT}" fill="url(#s)"/>\n'
        "  </g>\n"
        '  <g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">\n'
        f'    <text x="{left / 2:g}" y="15" fill="#010101" fill-opacity=".3">{label}</text>\n'
        f'    <text x="{left / 2:g}" y="14">{label}</text>\n'
        f'    <text x="{left + right / 2:g}" y="15" fill="#010101" fill-opacity=".3">{value}</text>\n'
        f'    <text x="{left + right / 2:g}" y="14">{value}</text>\n'
        "  </g>\n"
        "</svg>\n"
    )


def shields(score: Score) -> str:
    """A shields.io endpoint badge (https://shields.io/badges/endpoint-badge)."""
    document = {"schemaVersion": 1, "label": LABEL, "message": message(score), "color": band(score.final)["color"].lstrip("#")}
    return json.dumps(document, ensure_ascii=False) + "\n"


FORMATS = {"svg": svg, "shields": shields}


def render(report, color: bool = False) -> str:
    """The SVG badge as a scan report (`-o badge:FILE`): CI makes it from the one scan."""
    return svg(report.score)
