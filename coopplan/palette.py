"""One colour per pista, per funding source and per status: the same on every chart and slide.

Piste and sources come from the workbook, so colours are given by position (the n-th pista gets
the n-th colour). Both palettes are colour-blind safe (Okabe-Ito; Paul Tol 'vibrant') and dark
enough to read on white on a projector; they cycle when a plan has more entries than colours.
"""

from __future__ import annotations

from collections.abc import Sequence

from coopplan.workbook.schema import STATUSES

TRACK_COLORS: tuple[str, ...] = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
SOURCE_COLORS: tuple[str, ...] = ("#EE7733", "#009988", "#33BBEE", "#EE3377", "#CC3311", "#0077BB")
STATUS_COLORS: dict[str, str] = dict(
    zip(STATUSES, ("#BDBDBD", "#8B1E2D", "#F0C93A", "#57B35A"), strict=True)
)
"""Traffic light: grey (to define), red (to start), amber (running), green (done). None is a
pista or source colour; red and green differ in lightness too (dark / light), so they stay
apart for red-green colour blindness; chip text is black or white by contrast (≥ 4.5:1)."""
TEXT_COLOR = "#1A1A1A"
MUTED_COLOR = "#5A5A5A"
PLANNED_COLOR = "#C8C8C8"  # the consuntivo's preventivo: light grey, the full bar
COMMITTED_COLOR = "#88CCEE"  # impegnato: Tol 'light' cyan, lighter than speso
SPENT_COLOR = "#004488"  # speso: Tol 'high contrast' dark blue
"""Preventivo, impegnato and speso differ in lightness, so they read apart in grey print and
for every colour blindness (coopplan.charts_spending, the «Spese» slide)."""


def colors_for(names: Sequence[str], palette: Sequence[str]) -> dict[str, str]:
    """name -> colour, by position, cycling through the palette."""
    return {name: palette[i % len(palette)] for i, name in enumerate(names)}


def status_color(status: str) -> str:
    return STATUS_COLORS.get(status, MUTED_COLOR)


MARK_CONTRAST = 3.0  # a stato dot against the slide's white: WCAG's 3:1 for graphics
WHITE = "#FFFFFF"


def luminance(color: str) -> float:
    """The relative luminance (WCAG) of a '#RRGGBB' colour."""
    red, green, blue = (int(color.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4))

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(red) + 0.7152 * channel(green) + 0.0722 * channel(blue)


def contrast(a: str, b: str) -> float:
    """The WCAG contrast ratio of two '#RRGGBB' colours (1 to 21)."""
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def mark_color(status: str, background: str = WHITE) -> str:
    """A stato's colour for a small mark (the dot on a slide, in a handout's cell): the traffic
    light's colour, darkened step by step until it stands 3:1 against ``background`` (the grey
    of «Da definire», 1,9:1 on white, was lost on a projector)."""
    return darkened(status_color(status), background)


def darkened(color: str, background: str = WHITE) -> str:
    """``color`` darkened step by step until it stands MARK_CONTRAST against ``background``."""
    while contrast(color, background) < MARK_CONTRAST:
        color = "#" + "".join(f"{int(int(color[i : i + 2], 16) * 0.9):02X}" for i in (1, 3, 5))
    return color


def text_color_on(background: str) -> str:
    """Black or white, whichever reads better on ``background`` (a '#RRGGBB' colour)."""
    red, green, blue = (int(background.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4))

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    luminance = 0.2126 * channel(red) + 0.7152 * channel(green) + 0.0722 * channel(blue)
    # Contrast with white (1.05 / (L + 0.05)) against contrast with black ((L + 0.05) / 0.05).
    return "#FFFFFF" if 1.05 / (luminance + 0.05) >= (luminance + 0.05) / 0.05 else TEXT_COLOR
