"""coopplan.palette: status, pista and source colours never mix, and text on them is readable."""

from __future__ import annotations

import tomllib

import pytest
from support.paths import ROOT

from coopplan.palette import SOURCE_COLORS, STATUS_COLORS, TRACK_COLORS, text_color_on

WHITE = "#FFFFFF"


def luminance(color: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    red, green, blue = (int(color.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * channel(red) + 0.7152 * channel(green) + 0.0722 * channel(blue)


def contrast(a: str, b: str) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def over_white(color: str, opacity: float) -> str:
    """``color`` at ``opacity`` on white (how Streamlit derives an alert's background)."""
    channels = (int(color.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4))
    return "#" + "".join(f"{round(255 * (1 - opacity) + c * opacity):02X}" for c in channels)


def normalised(colors: object) -> set[str]:
    return {str(c).upper() for c in colors}  # type: ignore[attr-defined]


def test_status_pista_and_source_palettes_share_no_colour() -> None:
    status, track, source = (
        normalised(STATUS_COLORS.values()),
        normalised(TRACK_COLORS),
        normalised(SOURCE_COLORS),
    )
    assert len(status) == len(STATUS_COLORS)  # every stato its own colour
    assert not status & track, status & track
    assert not status & source, status & source
    assert not track & source, track & source


@pytest.mark.parametrize("status", list(STATUS_COLORS))
def test_chip_text_on_a_status_colour_is_readable(status: str) -> None:
    background = STATUS_COLORS[status]
    assert contrast(text_color_on(background), background) >= 4.5


def test_theme_mirrors_the_status_colours_with_readable_alert_text() -> None:
    theme = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["theme"]
    mirrored = {
        "Da definire": "grayColor",
        "Da avviare": "redColor",
        "In corso": "yellowColor",
        "Concluso": "greenColor",
    }
    for status, key in mirrored.items():
        assert theme[key].upper() == STATUS_COLORS[status].upper(), key
        text = theme[key.replace("Color", "TextColor")]
        # st.error / st.warning / st.success: the colour at 10% on white behind their text
        assert contrast(text, over_white(theme[key], 0.10)) >= 4.5, key
        assert contrast(text, WHITE) >= 4.5, key
    used = normalised(TRACK_COLORS) | normalised(SOURCE_COLORS)
    assert not normalised(theme[k] for k in mirrored.values()) & used
