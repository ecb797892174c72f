#!/usr/bin/env python3
"""ansi2mvg.py - turn a `tmux capture-pane -e -p` dump into an ImageMagick
MVG drawing, one glyph per terminal cell, colours and bold/dim/reverse/
underline kept, so that `convert -draw @FILE` renders the screen as the
user saw it, in DejaVu Sans Mono.

usage: ansi2mvg.py COLS ROWS < capture.ansi > screen.mvg
       convert mvg:screen.mvg screen.png
Stdlib only.  Used by scripts/screenshots.sh.
"""
import re
import sys

CELL_W, CELL_H, BASELINE = 10, 20, 15
POINTSIZE = 16.61  # DejaVu Sans Mono advances 0.60205 em: 10 px per cell
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
FONT_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf"
BG, FG = "#1d2021", "#d5d8da"
PALETTE = [
    "#3c4043", "#e0605a", "#8fc46a", "#e5c07b", "#3b6ea8", "#c678dd", "#56b6c2", "#d5d8da",
    "#6b7075", "#ff7b72", "#a8e08a", "#f3d68a", "#6fa0e0", "#d899ee", "#7fd3dd", "#ffffff",
]


def xterm256(n):
    if n < 16:
        return PALETTE[n]
    if n < 232:
        n -= 16
        steps = [0, 95, 135, 175, 215, 255]
        return "#%02x%02x%02x" % (steps[n // 36], steps[n // 6 % 6], steps[n % 6])
    g = 8 + (n - 232) * 10
    return "#%02x%02x%02x" % (g, g, g)


def blend(a, b, t):
    pa = [int(a[i:i + 2], 16) for i in (1, 3, 5)]
    pb = [int(b[i:i + 2], 16) for i in (1, 3, 5)]
    return "#%02x%02x%02x" % tuple(int(x + (y - x) * t) for x, y in zip(pa, pb))


class Style:
    def __init__(self):
        self.reset()

    def reset(self):
        self.fg = None
        self.bg = None
        self.bold = self.dim = self.under = self.rev = False

    def key(self):
        return (self.fg, self.bg, self.bold, self.dim, self.under, self.rev)

    def sgr(self, params):
        ps = [int(p) if p else 0 for p in params.split(";")] if params else [0]
        i = 0
        while i < len(ps):
            p = ps[i]
            if p == 0:
                self.reset()
            elif p == 1:
                self.bold = True
            elif p == 2:
                self.dim = True
            elif p == 22:
                self.bold = self.dim = False
            elif p == 4:
                self.under = True
            elif p == 24:
                self.under = False
            elif p == 7:
                self.rev = True
            elif p == 27:
                self.rev = False
            elif 30 <= p <= 37:
                self.fg = PALETTE[p - 30]
            elif 90 <= p <= 97:
                self.fg = PALETTE[p - 90 + 8]
            elif p == 39:
                self.fg = None
            elif 40 <= p <= 47:
                self.bg = PALETTE[p - 40]
            elif 100 <= p <= 107:
                self.bg = PALETTE[p - 100 + 8]
            elif p == 49:
                self.bg = None
            elif p in (38, 48) and i + 2 < len(ps) and ps[i + 1] == 5:
                c = xterm256(ps[i + 2])
                if p == 38:
                    self.fg = c
                else:
                    self.bg = c
                i += 2
            elif p in (38, 48) and i + 4 < len(ps) and ps[i + 1] == 2:
                c = "#%02x%02x%02x" % tuple(ps[i + 2:i + 5])
                if p == 38:
                    self.fg = c
                else:
                    self.bg = c
                i += 4
            i += 1


def parse(text, cols, rows):
    grid = [[(" ", (None, None, False, False, False, False)) for _ in range(cols)] for _ in range(rows)]
    st = Style()
    for y, line in enumerate(text.split("\n")[:rows]):
        x = 0
        for m in re.finditer(r"\x1b\[([0-9;]*)m|\x1b\[[0-9;?]*[A-Za-z]|(.)", line):
            if m.group(2) is None:
                if m.group(0).endswith("m"):
                    st.sgr(m.group(1))
                continue
            if x < cols:
                grid[y][x] = (m.group(2), st.key())
            x += 1
    return grid


def esc(c):
    return c.replace("\\", "\\\\").replace('"', '\\"')


def main():
    cols, rows = int(sys.argv[1]), int(sys.argv[2])
    grid = parse(sys.stdin.read(), cols, rows)
    w, h = cols * CELL_W, rows * CELL_H
    out = ["viewbox 0 0 %d %d" % (w, h), "fill %s rectangle 0,0 %d,%d" % (BG, w - 1, h - 1),
           "font-size %.2f" % POINTSIZE, "text-antialias 1"]
    for y in range(rows):
        for x in range(cols):
            ch, (fg, bg, bold, dim, under, rev) = grid[y][x]
            fgc, bgc = fg or FG, bg
            if rev:
                fgc, bgc = (bg or BG), (fg or FG)
            if dim:
                fgc = blend(fgc, bgc or BG, 0.45)
            if bgc:
                out.append("fill %s rectangle %d,%d %d,%d" % (bgc, x * CELL_W, y * CELL_H,
                                                            (x + 1) * CELL_W - 1, (y + 1) * CELL_H - 1))
            if ch != " ":
                out.append('fill %s font "%s" text %d,%d "%s"' % (fgc, FONT_BOLD if bold else FONT,
                                                                  x * CELL_W, y * CELL_H + BASELINE, esc(ch)))
            if under:
                out.append("fill %s rectangle %d,%d %d,%d" % (fgc, x * CELL_W, y * CELL_H + BASELINE + 2,
                                                            (x + 1) * CELL_W - 1, y * CELL_H + BASELINE + 2))
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
