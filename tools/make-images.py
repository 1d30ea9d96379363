#!/usr/bin/env python3
"""Draws the demo images under static/images/ (plain shapes, no fonts needed).

Run from the repository root: python3 tools/make-images.py
The PNG names are those the original server's data refers to (nav1..6,
banner1..5, brand1..5), so an adopted database finds its images; products
get SVGs.
"""
import math
import os
import struct
import zlib

OUT = os.path.join("static", "images")
PALETTE = [(228, 57, 60), (255, 153, 0), (52, 152, 219), (46, 204, 113),
           (155, 89, 182), (52, 73, 94), (26, 188, 156)]


def png(path, width, height, pixel):
    rows = bytearray()
    for y in range(height):
        rows.append(0)
        for x in range(width):
            rows.extend(pixel(x, y))
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))
    data = (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(bytes(rows), 9))
            + chunk(b"IEND", b""))
    with open(path, "wb") as f:
        f.write(data)


def lighten(c, t):
    return tuple(int(v + (255 - v) * t) for v in c)


def nav_icon(i):
    color = PALETTE[i % len(PALETTE)]
    size, r = 96, 40
    def pixel(x, y):
        d = math.hypot(x - size / 2, y - size / 2)
        if d > r:
            return (255, 255, 255)
        # a ring per icon number, so the six icons differ
        ring = int(d / (r / (i + 1))) % 2
        return color if ring == 0 else lighten(color, 0.5)
    png(os.path.join(OUT, f"nav{i}.png"), size, size, pixel)


def banner(i):
    color = PALETTE[(i + 2) % len(PALETTE)]
    w, h = 750, 300
    def pixel(x, y):
        stripe = ((x + y * i) // 60) % 2
        base = color if stripe else lighten(color, 0.25)
        # a white shoe-sole-like ellipse in the middle
        if ((x - w / 2) / 220) ** 2 + ((y - h / 2) / 60) ** 2 <= 1:
            return (255, 255, 255)
        return base
    png(os.path.join(OUT, f"banner{i}.png"), w, h, pixel)


def brand_logo(i):
    color = PALETTE[(i + 4) % len(PALETTE)]
    w, h = 160, 80
    def pixel(x, y):
        # a swoosh-like band: between two parabolas
        t = (x - 20) / 120
        top = 60 - 40 * t * t - 8 * i
        if 10 <= x <= 150 and top <= y <= top + 14:
            return color
        return (255, 255, 255)
    png(os.path.join(OUT, f"brand{i}.png"), w, h, pixel)


def product_svg(i):
    color = "#%02x%02x%02x" % PALETTE[i % len(PALETTE)]
    svg = f"""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 400" width="400" height="400">
<rect width="400" height="400" fill="#f5f5f5"/>
<path d="M60 260 C60 200 110 190 150 170 L210 120 C230 105 250 120 250 140 L250 200 C300 205 340 220 340 260 Z" fill="{color}"/>
<rect x="55" y="260" width="290" height="26" rx="10" fill="#333"/>
<circle cx="{120 + 20 * i}" cy="215" r="12" fill="#fff"/>
</svg>
"""
    with open(os.path.join(OUT, f"product{i}.svg"), "w") as f:
        f.write(svg)


def main():
    os.makedirs(OUT, exist_ok=True)
    for i in range(1, 7):
        nav_icon(i)
        product_svg(i)
    for i in range(1, 6):
        banner(i)
        brand_logo(i)


if __name__ == "__main__":
    main()
