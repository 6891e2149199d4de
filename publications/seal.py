"""The red round seal drawn into the signature's appearance (DESIGN.md "Publications").

The seal is drawn by us as vector paths: a ring, the bureau's name along the
upper arc, a five-pointed star and a line of text below it, in the style of
a Chinese official seal. The characters are the outlines of Noto Serif CJK
Bold glyphs (read with fontTools), so the appearance stream uses **no font
at all**: nothing to embed, nothing that could break PDF/A, and it looks the
same in every viewer. It is opaque DeviceRGB (the PDF/A output intent is
sRGB), without transparency.

``SealStampStyle`` plugs the drawing into pyHanko as the visible signature's
appearance. The drawing of one (name, subtitle) is cached for the process.
"""

from __future__ import annotations

import math
import subprocess  # noqa: S404 - fc-match with fixed arguments
import threading
from dataclasses import dataclass
from functools import lru_cache

from fontTools.pens.basePen import BasePen
from fontTools.ttLib import TTFont
from pyhanko.pdf_utils import layout
from pyhanko.pdf_utils.writer import BasePdfFileWriter
from pyhanko.stamp.base import BaseStamp, BaseStampStyle

SEAL_FONT = "Noto Serif CJK SC:bold"
SEAL_RED = (0.85, 0.08, 0.08)
DEFAULT_SUBTITLE = "公示专用章"
# Glyph outlines are in font units; the CJK em box runs from -120 to 880.
_EM_CENTER_Y = 380.0

_font_lock = threading.Lock()


class SealFontError(RuntimeError):
    """No CJK font to draw the seal's characters with."""


class _PdfPathPen(BasePen):
    """Records a glyph outline as PDF path operators (font units)."""

    def __init__(self, glyph_set):
        super().__init__(glyph_set)
        self.ops: list[str] = []

    def _moveTo(self, pt):
        self.ops.append(f"{pt[0]:.1f} {pt[1]:.1f} m")

    def _lineTo(self, pt):
        self.ops.append(f"{pt[0]:.1f} {pt[1]:.1f} l")

    def _curveToOne(self, pt1, pt2, pt3):
        self.ops.append(
            f"{pt1[0]:.1f} {pt1[1]:.1f} {pt2[0]:.1f} {pt2[1]:.1f} {pt3[0]:.1f} {pt3[1]:.1f} c"
        )

    def _closePath(self):
        self.ops.append("h")


class _GlyphSource:
    """Outlines of characters from one installed CJK font, read once per process."""

    def __init__(self, pattern: str = SEAL_FONT):
        try:
            out = subprocess.run(  # noqa: S603
                ["fc-match", "-f", "%{family}|%{file}|%{index}", pattern],  # noqa: S607
                capture_output=True,
                text=True,
                timeout=30,
                check=True,
            ).stdout
        except (OSError, subprocess.SubprocessError) as exc:
            raise SealFontError(f"fc-match failed: {exc}") from exc
        family, path, index = (out.split("|") + ["", "", ""])[:3]
        if "CJK" not in family or not path:
            raise SealFontError(f"No Noto CJK font found for the seal (fc-match gave {family!r}).")
        self.font = TTFont(path, fontNumber=int(index or 0), lazy=True)
        self.cmap = self.font.getBestCmap()
        self.glyph_set = self.font.getGlyphSet()
        self.units_per_em = self.font["head"].unitsPerEm
        self._paths: dict[str, str] = {}

    def path(self, char: str) -> str:
        """PDF path operators for ``char`` in font units ("" for a space or a missing glyph)."""
        if char not in self._paths:
            name = self.cmap.get(ord(char))
            if name is None or char.isspace():
                self._paths[char] = ""
            else:
                pen = _PdfPathPen(self.glyph_set)
                self.glyph_set[name].draw(pen)
                self._paths[char] = " ".join(pen.ops)
        return self._paths[char]

    def missing(self, text: str) -> list[str]:
        return [c for c in text if not c.isspace() and ord(c) not in self.cmap]


@lru_cache(maxsize=1)
def _glyph_source() -> _GlyphSource:
    with _font_lock:
        return _GlyphSource()


def _matrix(*, scale_x: float, scale_y: float, angle: float, x: float, y: float, em: float):
    """cm operands placing an em-box-centred glyph: scale, then rotate, then move."""
    cos, sin = math.cos(angle), math.sin(angle)
    a, b = scale_x * cos, scale_x * sin
    c, d = -scale_y * sin, scale_y * cos
    # Move the glyph's centre (em/2, em box middle) to the origin first.
    cx, cy = em / 2, _EM_CENTER_Y * em / 1000
    e = x - (a * cx + c * cy)
    f = y - (b * cx + d * cy)
    return f"{a:.5f} {b:.5f} {c:.5f} {d:.5f} {e:.3f} {f:.3f} cm"


def _circle(cx: float, cy: float, r: float) -> str:
    k = 0.5523 * r
    return (
        f"{cx + r:.2f} {cy:.2f} m "
        f"{cx + r:.2f} {cy + k:.2f} {cx + k:.2f} {cy + r:.2f} {cx:.2f} {cy + r:.2f} c "
        f"{cx - k:.2f} {cy + r:.2f} {cx - r:.2f} {cy + k:.2f} {cx - r:.2f} {cy:.2f} c "
        f"{cx - r:.2f} {cy - k:.2f} {cx - k:.2f} {cy - r:.2f} {cx:.2f} {cy - r:.2f} c "
        f"{cx + k:.2f} {cy - r:.2f} {cx + r:.2f} {cy - k:.2f} {cx + r:.2f} {cy:.2f} c h"
    )


def _star(cx: float, cy: float, outer: float) -> str:
    inner = outer * 0.382
    points = []
    for i in range(10):
        radius = outer if i % 2 == 0 else inner
        angle = math.pi / 2 + i * math.pi / 5
        points.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    ops = [f"{points[0][0]:.2f} {points[0][1]:.2f} m"]
    ops += [f"{x:.2f} {y:.2f} l" for x, y in points[1:]]
    return " ".join(ops) + " h f"


def seal_check(name: str, subtitle: str = DEFAULT_SUBTITLE) -> None:
    """Raise ``SealFontError`` unless the seal font can draw every character (loads it once)."""
    missing = _glyph_source().missing(name + subtitle)
    if missing:
        raise SealFontError(f"The seal font has no glyph for {''.join(missing)!r}.")


def seal_drawing(*, name: str, subtitle: str = DEFAULT_SUBTITLE, size: float) -> bytes:
    """PDF content stream operators drawing the seal in a ``size`` × ``size`` box (points)."""
    return _seal_drawing(name.strip(), subtitle.strip(), round(float(size), 2))


@lru_cache(maxsize=16)
def _seal_drawing(name: str, subtitle: str, size: float) -> bytes:
    seal_check(name, subtitle)
    glyphs = _glyph_source()
    em = glyphs.units_per_em
    centre = size / 2
    ring = size * 0.032
    radius = centre - ring / 2
    r, g, b = SEAL_RED
    ops = [f"q {r} {g} {b} rg {r} {g} {b} RG"]
    ops.append(f"{ring:.2f} w {_circle(centre, centre, radius)} S")

    # The name runs clockwise along the upper arc, each character upright
    # towards the rim; long names get smaller characters, never overlap.
    chars = [c for c in name if not c.isspace()]
    count = len(chars)
    if count:
        height = size * 0.15
        for _ in range(3):
            text_radius = radius - ring / 2 - size * 0.05 - height / 2
            span = min(math.radians(236), math.radians(29) * max(count - 1, 1))
            step = span / max(count - 1, 1)
            # Characters are narrowed (0.78) as on real seals; keep a small gap.
            fit = step * text_radius * 0.9
            if count == 1 or height * 0.78 <= fit:
                break
            height = fit / 0.78
        start = math.pi / 2 + (span / 2 if count > 1 else 0)
        scale = height / em
        for i, char in enumerate(chars):
            angle = start - i * step
            x = centre + text_radius * math.cos(angle)
            y = centre + text_radius * math.sin(angle)
            path = glyphs.path(char)
            if path:
                cm = _matrix(
                    scale_x=scale * 0.78,
                    scale_y=scale,
                    angle=angle - math.pi / 2,
                    x=x,
                    y=y,
                    em=em,
                )
                ops.append(f"q {cm} {path} f Q")

    ops.append(_star(centre, centre + size * 0.01, size * 0.16))

    sub = [c for c in subtitle if not c.isspace()]
    if sub:
        height = size * 0.095
        width = height * 0.9
        y = centre - size * 0.25
        scale = height / em
        for i, char in enumerate(sub):
            x = centre + (i - (len(sub) - 1) / 2) * width
            path = glyphs.path(char)
            if path:
                cm = _matrix(scale_x=scale * 0.85, scale_y=scale, angle=0.0, x=x, y=y, em=em)
                ops.append(f"q {cm} {path} f Q")
    ops.append("Q")
    return " ".join(ops).encode("ascii")


@dataclass(frozen=True)
class SealStampStyle(BaseStampStyle):
    """pyHanko stamp style drawing our seal; no border, no background, no font."""

    bureau_name: str = ""
    subtitle: str = DEFAULT_SUBTITLE
    border_width: int = 0

    def create_stamp(
        self, writer: BasePdfFileWriter, box: layout.BoxConstraints, text_params: dict
    ) -> SealStamp:
        return SealStamp(writer=writer, style=self, box=box)


class SealStamp(BaseStamp):
    def _render_inner_content(self):
        width, height = self.box.width, self.box.height
        size = min(width, height)
        drawing = seal_drawing(name=self.style.bureau_name, subtitle=self.style.subtitle, size=size)
        # Centre the square seal in the field's box.
        dx, dy = (width - size) / 2, (height - size) / 2
        return [b"q 1 0 0 1 %.3f %.3f cm " % (dx, dy) + drawing + b" Q"]
