#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Converts Xvfb's screen (-fbdir DIR writes DIR/Xvfb_screen0 as an XWD image) to PNG, with
nothing but the standard library, for tests/e2e/gui.sh's screenshots.

usage: xwd2png.py XWD_FILE PNG_FILE
"""
import struct
import sys
import zlib


def shift_of(mask):
    s = 0
    while mask and not mask & 1:
        mask >>= 1
        s += 1
    return s


def main():
    src, dst = sys.argv[1], sys.argv[2]
    with open(src, "rb") as f:
        data = f.read()
    hdr = struct.unpack(">25I", data[:100])
    (header_size, _version, fmt, _depth, width, height, _xoff, byte_order, _unit, _bit_order,
     _pad, bpp, bpl, _vclass, rmask, gmask, bmask, _bits_rgb, _cmap_entries, ncolors) = hdr[:20]
    if fmt != 2 or bpp != 32:
        sys.exit(f"xwd2png: only 32-bit ZPixmap images (this one: format {fmt}, {bpp} bpp)")
    off = header_size + ncolors * 12
    order = "<" if byte_order == 0 else ">"
    rs, gs, bs = shift_of(rmask), shift_of(gmask), shift_of(bmask)
    rows = bytearray()
    for y in range(height):
        line = data[off + y * bpl: off + y * bpl + width * 4]
        px = struct.unpack(f"{order}{width}I", line)
        rows.append(0)  # filter: none
        for p in px:
            rows += bytes(((p & rmask) >> rs, (p & gmask) >> gs, (p & bmask) >> bs))

    def chunk(kind, body):
        c = struct.pack(">I", len(body)) + kind + body
        return c + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(bytes(rows), 6)) + chunk(b"IEND", b"")
    with open(dst, "wb") as f:
        f.write(png)


if __name__ == "__main__":
    main()
