#!/usr/bin/env python3
"""Draw GeneDesk's program icon and write it in each OS's format (run with the project venv):

    uv run python packaging/icons/make_icons.py

genedesk.png (Linux desktop entry, 512 px), genedesk.ico (Windows, 16–256 px) and genedesk.icns
(macOS). A teal rounded square with a white double helix: drawn here, so no artwork licence.
The files are committed; run this again only to change the drawing.
"""

from __future__ import annotations

import math
from pathlib import Path

from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
SIZE = 1024
TEAL = (0, 118, 128, 255)
WHITE = (255, 255, 255, 255)
PALE = (190, 232, 232, 255)


def draw(size: int = SIZE) -> Image.Image:
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    inset = size * 0.06
    pen.rounded_rectangle((inset, inset, size - inset, size - inset), radius=size * 0.2, fill=TEAL)
    top, bottom = size * 0.2, size * 0.8
    centre, amplitude = size / 2, size * 0.2
    width = max(2, round(size * 0.045))
    steps = 2000  # dense enough that the round brush below draws a smooth line

    def strand(phase: float) -> list[tuple[float, float]]:
        return [(centre + amplitude * math.sin(2 * math.pi * 1.25 * t / steps + phase),
                 top + (bottom - top) * t / steps) for t in range(steps + 1)]

    first, second = strand(0.0), strand(math.pi)
    for t in range(80, steps, 200):  # the rungs: base pairs between the strands
        pen.line([first[t], second[t]], fill=PALE, width=max(1, width // 2))
    radius = width / 2
    for x, y in first + second:  # a round brush: wide Pillow lines have jagged joints
        pen.ellipse((x - radius, y - radius, x + radius, y + radius), fill=WHITE)
    return image


def main() -> None:
    big = draw(SIZE * 2).resize((SIZE, SIZE), Image.Resampling.LANCZOS)  # smooth edges
    big.resize((512, 512), Image.Resampling.LANCZOS).save(HERE / "genedesk.png", optimize=True)
    big.save(HERE / "genedesk.ico", sizes=[(s, s) for s in (16, 24, 32, 48, 64, 128, 256)])
    big.save(HERE / "genedesk.icns")
    print("wrote genedesk.png, genedesk.ico and genedesk.icns in", HERE)


if __name__ == "__main__":
    main()
