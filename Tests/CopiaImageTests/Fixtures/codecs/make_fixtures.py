#!/usr/bin/env python3
"""Writes the codec test fixtures of CopiaImageTests and, for each, the samples a decoder must produce.

Run from anywhere with Pillow installed:  python make_fixtures.py
Output (next to this script): small PNG and JPEG files, and expected.json mapping each PNG's name to
{"width", "height", "channels", "depth", "samples"} (interleaved, rows top to bottom; 16-bit values as integers).

PNGs come from two independent writers: Pillow, and a minimal writer below that frames chunks by the PNG spec
(W3C, 3rd edition: 5.3 chunk layout, 7.2 scanlines, 8.2 Adam7 interlacing, 11.2 IHDR/PLTE, 11.3.2 tRNS), because
Pillow cannot write 2- and 4-bit gray, 16-bit RGB or interlaced files. Each hand-made file is read back with
Pillow where Pillow can represent it, as a check on the writer. Expected samples for JPEGs are Pillow's decoding
(libjpeg-turbo, accurate DCT), saved losslessly as <name>.decoded.png; tests compare with a small tolerance, since
Pillow's bundled libjpeg-turbo may be another version than the system's.
"""
import io
import json
import os
import struct
import zlib

from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
expected = {}


# ---------------------------------------------------------------------------------------------------------------
# A minimal PNG writer: any colour type and bit depth, optional Adam7, optional PLTE/tRNS. Filter type 0 (None).
# ---------------------------------------------------------------------------------------------------------------
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def pack_row(values, bit_depth):
    """values: the samples of one row (already interleaved); returns the packed bytes."""
    if bit_depth == 8:
        return bytes(values)
    if bit_depth == 16:
        return b"".join(struct.pack(">H", v) for v in values)
    out, acc, nbits = bytearray(), 0, 0
    for v in values:
        acc = (acc << bit_depth) | v
        nbits += bit_depth
        if nbits == 8:
            out.append(acc)
            acc, nbits = 0, 0
    if nbits:
        out.append(acc << (8 - nbits))
    return bytes(out)


ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]


def write_png(name, width, height, color_type, bit_depth, pixels, interlace=False, plte=None, trns=None):
    """pixels: list of rows, each a list of pixels, each a tuple of samples (palette index for colour type 3)."""
    raw = bytearray()
    if interlace:
        for x0, y0, dx, dy in ADAM7:
            xs = list(range(x0, width, dx))
            if not xs:
                continue
            for y in range(y0, height, dy):
                raw.append(0)
                raw += pack_row([s for x in xs for s in pixels[y][x]], bit_depth)
    else:
        for y in range(height):
            raw.append(0)
            raw += pack_row([s for x in range(width) for s in pixels[y][x]], bit_depth)
    data = b"\x89PNG\r\n\x1a\n"
    data += chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 1 if interlace else 0))
    if plte is not None:
        data += chunk(b"PLTE", b"".join(bytes(c) for c in plte))
    if trns is not None:
        data += chunk(b"tRNS", trns)
    data += chunk(b"IDAT", zlib.compress(bytes(raw), 9))
    data += chunk(b"IEND", b"")
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)
    return data


def expect(name, width, height, channels, depth, rows):
    samples = [s for row in rows for px in row for s in px]
    assert len(samples) == width * height * channels, name
    expected[name] = {"width": width, "height": height, "channels": channels, "depth": depth, "samples": samples}


def grid(width, height, f):
    return [[f(x, y) for x in range(width)] for y in range(height)]


def check_with_pillow(name, rows, mode=None):
    """Reads a hand-made file back with Pillow and compares (for the kinds Pillow represents exactly)."""
    im = Image.open(os.path.join(HERE, name))
    if mode:
        im = im.convert(mode)
    want = bytes(s for row in rows for px in row for s in px)
    assert im.tobytes() == want, name


# ---------------------------------------------------------------------------------------------------------------
# PNG: low bit depth gray (odd widths, so rows end mid-byte)
# ---------------------------------------------------------------------------------------------------------------
W, H = 13, 7
for bits in (1, 2, 4):
    levels = (1 << bits) - 1
    idx = grid(W, H, lambda x, y, levels=levels: ((x * 3 + y * 5) % (levels + 1),))
    name = f"gray{bits}.png"
    write_png(name, W, H, 0, bits, idx)
    scaled = [[(v[0] * 255 // levels,) for v in row] for row in idx]
    expect(name, W, H, 1, 8, scaled)
    check_with_pillow(name, scaled, "L")

# 8-bit gray, gray+alpha, RGB, RGBA from Pillow.
g8 = grid(W, H, lambda x, y: ((x * 19 + y * 37) % 256,))
Image.frombytes("L", (W, H), bytes(s for r in g8 for p in r for s in p)).save(os.path.join(HERE, "gray8.png"))
expect("gray8.png", W, H, 1, 8, g8)
ga8 = grid(W, H, lambda x, y: ((x * 19) % 256, (y * 40 + x) % 256))
Image.frombytes("LA", (W, H), bytes(s for r in ga8 for p in r for s in p)).save(os.path.join(HERE, "graya8.png"))
expect("graya8.png", W, H, 2, 8, ga8)
rgb8 = grid(W, H, lambda x, y: ((x * 20) % 256, (y * 36) % 256, (x * y * 7) % 256))
Image.frombytes("RGB", (W, H), bytes(s for r in rgb8 for p in r for s in p)).save(os.path.join(HERE, "rgb8.png"))
expect("rgb8.png", W, H, 3, 8, rgb8)
rgba8 = grid(W, H, lambda x, y: ((x * 20) % 256, (y * 36) % 256, 255 - x * 9, (x + y * W) * 2 % 256))
Image.frombytes("RGBA", (W, H), bytes(s for r in rgba8 for p in r for s in p)).save(os.path.join(HERE, "rgba8.png"))
expect("rgba8.png", W, H, 4, 8, rgba8)

# ---------------------------------------------------------------------------------------------------------------
# PNG: 16-bit, exact values (no linear-light conversion), including values whose bytes differ (endianness).
# ---------------------------------------------------------------------------------------------------------------
g16 = grid(W, H, lambda x, y: ((x * 4099 + y * 8191 + 1) % 65536,))
write_png("gray16.png", W, H, 0, 16, g16)
expect("gray16.png", W, H, 1, 16, g16)
ga16 = grid(W, H, lambda x, y: ((x * 5003) % 65536, (65535 - y * 1234) % 65536))
write_png("graya16.png", W, H, 4, 16, ga16)
expect("graya16.png", W, H, 2, 16, ga16)
rgb16 = grid(W, H, lambda x, y: ((x * 5000 + 1) % 65536, (y * 9000 + 258) % 65536, (x * y * 777) % 65536))
write_png("rgb16.png", W, H, 2, 16, rgb16)
expect("rgb16.png", W, H, 3, 16, rgb16)
rgba16 = grid(W, H, lambda x, y: (x * 5000, y * 9000, 65535 - x * y * 100, (x * 3 + y) * 1000 + 7))
write_png("rgba16.png", W, H, 6, 16, rgba16)
expect("rgba16.png", W, H, 4, 16, rgba16)

# ---------------------------------------------------------------------------------------------------------------
# PNG: palettes and tRNS
# ---------------------------------------------------------------------------------------------------------------
palette = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 0), (0, 0, 0), (255, 255, 255), (12, 34, 56)]
pidx = grid(W, H, lambda x, y: ((x + 2 * y) % len(palette),))
im = Image.new("P", (W, H))
im.putpalette([c for rgb in palette for c in rgb])
im.putdata([p[0] for r in pidx for p in r])
im.save(os.path.join(HERE, "palette8.png"))
expect("palette8.png", W, H, 3, 8, [[palette[p[0]] for p in r] for r in pidx])

# 4-bit palette with a tRNS shorter than the palette: entries past it are opaque.
alphas = [0, 128, 255, 64]
write_png("palette4_trns.png", W, H, 3, 4, pidx, plte=palette, trns=bytes(alphas))
expect("palette4_trns.png", W, H, 4, 8,
       [[palette[p[0]] + ((alphas[p[0]] if p[0] < len(alphas) else 255),) for p in r] for r in pidx])

# Gray with a transparent value, RGB with a transparent colour: decoded with an alpha channel.
gt = grid(W, H, lambda x, y: ((x * 40) % 256,))
write_png("gray8_trns.png", W, H, 0, 8, gt, trns=struct.pack(">H", 80))
expect("gray8_trns.png", W, H, 2, 8, [[(v[0], 0 if v[0] == 80 else 255) for v in r] for r in gt])
rt = grid(W, H, lambda x, y: ((x * 40) % 256, 7, (y * 50) % 256))
write_png("rgb8_trns.png", W, H, 2, 8, rt, trns=struct.pack(">HHH", 120, 7, 100))
expect("rgb8_trns.png", W, H, 4, 8, [[p + (0 if p == (120, 7, 100) else 255,) for p in r] for r in rt])
r16t = grid(W, H, lambda x, y: (x * 5000, 300, y * 9000))
write_png("rgb16_trns.png", W, H, 2, 16, r16t, trns=struct.pack(">HHH", 10000, 300, 18000))
expect("rgb16_trns.png", W, H, 4, 16, [[p + (0 if p == (10000, 300, 18000) else 65535,) for p in r] for r in r16t])

# ---------------------------------------------------------------------------------------------------------------
# PNG: Adam7 interlaced (sizes that leave some passes empty or partial)
# ---------------------------------------------------------------------------------------------------------------
IW, IH = 11, 9
irgb = grid(IW, IH, lambda x, y: ((x * 23) % 256, (y * 29) % 256, (x * y * 3 + 1) % 256))
write_png("interlaced_rgb8.png", IW, IH, 2, 8, irgb, interlace=True)
expect("interlaced_rgb8.png", IW, IH, 3, 8, irgb)
check_with_pillow("interlaced_rgb8.png", irgb, "RGB")
ig1 = grid(IW, IH, lambda x, y: ((x * x + y) % 2,))
write_png("interlaced_gray1.png", IW, IH, 0, 1, ig1, interlace=True)
expect("interlaced_gray1.png", IW, IH, 1, 8, [[(v[0] * 255,) for v in r] for r in ig1])
irgba16 = grid(IW, IH, lambda x, y: (x * 6000 + 1, y * 7000 + 2, (x + y) * 3000 + 3, 65535 - x * y * 500))
write_png("interlaced_rgba16.png", IW, IH, 6, 16, irgba16, interlace=True)
expect("interlaced_rgba16.png", IW, IH, 4, 16, irgba16)
ip = grid(3, 2, lambda x, y: ((x + y) % 4,))  # smaller than one Adam7 block: passes 2, 3, 5 are empty
write_png("interlaced_palette_tiny.png", 3, 2, 3, 2, ip, interlace=True, plte=palette[:4])
expect("interlaced_palette_tiny.png", 3, 2, 3, 8, [[palette[p[0]] for p in r] for r in ip])

# ---------------------------------------------------------------------------------------------------------------
# PNG: a decompression bomb header. IHDR says 100000 x 100000 RGB (30 GB of pixels); the IDAT is a few bytes.
# ---------------------------------------------------------------------------------------------------------------
bomb = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 100000, 100000, 8, 2, 0, 0, 0))
bomb += chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")
with open(os.path.join(HERE, "bomb_100000x100000.png"), "wb") as f:
    f.write(bomb)

# ---------------------------------------------------------------------------------------------------------------
# JPEG (Pillow, libjpeg-turbo): a smooth colour pattern, so values survive compression closely.
# ---------------------------------------------------------------------------------------------------------------
JW, JH = 32, 24
jrgb = grid(JW, JH, lambda x, y: (x * 7 + 10, y * 9 + 20, 128 + (x - y) * 2))
src = Image.frombytes("RGB", (JW, JH), bytes(s for r in jrgb for p in r for s in p))


def save_jpeg(name, image, **options):
    """Saves the JPEG, and Pillow's decoding of it losslessly beside it as <name>.decoded.png."""
    image.save(os.path.join(HERE, name), "JPEG", **options)
    back = Image.open(os.path.join(HERE, name))
    back.load()
    assert back.mode in ("L", "RGB"), name
    back.save(os.path.join(HERE, name + ".decoded.png"))


save_jpeg("baseline420.jpg", src, quality=90, subsampling=2)
save_jpeg("baseline444.jpg", src, quality=95, subsampling=0)
save_jpeg("progressive.jpg", src, quality=90, subsampling=2, progressive=True)
save_jpeg("gray.jpg", src.convert("L"), quality=90)
Image.new("CMYK", (16, 16), (10, 20, 30, 40)).save(os.path.join(HERE, "cmyk.jpg"), "JPEG", quality=90)

with open(os.path.join(HERE, "expected.json"), "w") as f:
    json.dump(expected, f, separators=(",", ":"), sort_keys=True)
    f.write("\n")
print(f"wrote {len(expected)} fixtures with expected samples")
