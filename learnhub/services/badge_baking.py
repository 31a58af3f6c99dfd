"""Baked badges: an Open Badges credential carried inside an image (OB 3.0 §5.3, "Baking").

PNG: an uncompressed iTXt chunk with the keyword `openbadgecredential` holding the credential's JSON, before IEND.
SVG: an `<openbadges:credential>` element (namespace https://purl.imsglobal.org/ob/v3p0) holding it as CDATA,
written by templates/badges/badge.svg. The PNG image itself is drawn here with zlib and struct: a brand-blue
medal on a transparent ground, the same for every badge."""

from __future__ import annotations

import json
import struct
import zlib
from functools import cache

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
KEYWORD = b"openbadgecredential"
SIZE = 256
BRAND, BRAND_DARK, WHITE = (0x0B, 0x5C, 0xAD), (0x08, 0x3F, 0x77), (0xFF, 0xFF, 0xFF)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def _pixel(x: int, y: int) -> bytes:
    """A disc with a darker ring and a white tick: readable at any size, no text to translate."""
    centre = SIZE / 2
    distance = ((x + 0.5 - centre) ** 2 + (y + 0.5 - centre) ** 2) ** 0.5
    if distance > centre - 2:
        return b"\0\0\0\0"
    u, v = (x - centre) / centre, (y - centre) / centre
    on_tick = (-0.45 <= u <= -0.1 and abs(v - (u + 0.1) - 0.2) < 0.09) or (
        -0.1 <= u <= 0.45 and abs(v - (-1.1 * (u + 0.1) + 0.2)) < 0.09)
    colour = WHITE if on_tick else BRAND_DARK if distance > centre - 18 else BRAND
    return bytes(colour) + b"\xff"


@cache
def badge_image() -> bytes:
    """The badge's picture: a 256 × 256 RGBA PNG without a credential."""
    rows = b"".join(b"\0" + b"".join(_pixel(x, y) for x in range(SIZE)) for y in range(SIZE))
    header = struct.pack(">IIBBBBB", SIZE, SIZE, 8, 6, 0, 0, 0)
    return (PNG_SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(rows, 9))
            + _chunk(b"IEND", b""))


def _credential_text(credential: dict) -> bytes:
    return json.dumps(credential, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def bake_png(credential: dict, image: bytes | None = None) -> bytes:
    """`image` (the badge picture by default) with the credential in an iTXt chunk just before IEND."""
    image = image or badge_image()
    end = image.rindex(b"IEND") - 4  # the IEND chunk starts with its length
    itxt = KEYWORD + b"\0" + b"\0\0" + b"\0" + b"\0" + _credential_text(credential)
    return image[:end] + _chunk(b"iTXt", itxt) + image[end:]


def unbake_png(data: bytes) -> dict | None:
    """The credential baked in a PNG, or None when there is none."""
    if not data.startswith(PNG_SIGNATURE):
        raise ValueError("not a PNG file")
    offset = len(PNG_SIGNATURE)
    while offset + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[offset:offset + 8])
        body = data[offset + 8:offset + 8 + length]
        if kind == b"iTXt":
            keyword, _, rest = body.partition(b"\0")
            if keyword == KEYWORD:
                compressed = rest[0]
                _, _, rest = rest[2:].partition(b"\0")  # language tag
                _, _, text = rest.partition(b"\0")  # translated keyword
                return json.loads(zlib.decompress(text) if compressed else text)
        offset += 12 + length
    return None


def svg_cdata(credential: dict) -> str:
    """The credential's JSON for a CDATA section: a `]]>` inside it (in a name, say) is split across two sections."""
    return _credential_text(credential).decode("utf-8").replace("]]>", "]]]]><![CDATA[>")
