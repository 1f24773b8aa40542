"""Reading and stamping PNG headers, standard library only: the size in a PNG's ``IHDR``
chunk, and the resolution (``pHYs``) a snapshot states. Never decodes pixels.

The layout is the PNG specification's (W3C PNG, 3rd edition, section 5): an 8-byte signature,
then chunks of ``length (4 bytes) | type (4) | data | CRC-32 of type and data (4)``; ``IHDR``
comes first, with 13 bytes of data.
"""

from __future__ import annotations

import struct
import zlib

__all__ = ["SIGNATURE", "chunk", "png_size", "with_resolution"]

SIGNATURE = b"\x89PNG\r\n\x1a\n"
"""The 8 bytes every PNG file starts with."""

_IHDR_END = 33  # signature (8) + length (4) + type (4) + data (13) + CRC (4)


def chunk(kind: bytes, body: bytes) -> bytes:
    """One PNG chunk: the length of ``body``, ``kind``, ``body``, and the CRC-32 of both.

    >>> chunk(b"IEND", b"").hex()
    '0000000049454e44ae426082'
    """
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height (pixels) in a PNG's IHDR chunk, after checking its signature and CRC.

    >>> png_size(SIGNATURE + chunk(b"IHDR", struct.pack(">IIBBBBB", 3, 2, 8, 6, 0, 0, 0)))
    (3, 2)
    """
    if data[:8] != SIGNATURE or data[12:16] != b"IHDR" or len(data) < _IHDR_END:
        raise ValueError("not a PNG file (no PNG signature and IHDR chunk)")
    (crc,) = struct.unpack(">I", data[29:33])
    if zlib.crc32(data[12:29]) != crc:
        raise ValueError("PNG IHDR chunk has a bad CRC")
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def with_resolution(data: bytes, dpi: float) -> bytes:
    """The PNG ``data`` with a ``pHYs`` chunk after ``IHDR`` stating ``dpi`` pixels per inch,
    so that a layout program places it at its intended size (a snapshot: 96 dpi times its
    scale). ``data`` must not have a ``pHYs`` chunk already.

    >>> png = SIGNATURE + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
    >>> stamped = with_resolution(png, 192)
    >>> stamped[33:50] == struct.pack(">I", 9) + b"pHYs" + struct.pack(">IIB", 7559, 7559, 1)
    True
    >>> png_size(stamped)
    (1, 1)
    """
    png_size(data)  # a PNG, or ValueError
    ppm = round(dpi / 0.0254)  # pHYs counts pixels per metre; 1 in = 0.0254 m exactly
    body = struct.pack(">IIB", ppm, ppm, 1)  # unit 1: the metre
    return data[:_IHDR_END] + chunk(b"pHYs", body) + data[_IHDR_END:]
