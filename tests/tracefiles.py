"""Small track files written by tests (a helper module, no tests here)."""

from __future__ import annotations

from pathlib import Path


def write_trace(path: Path, objects: list[str]) -> Path:
    """A readsb trace of one entry per aircraft object (JSON text, "null" for none), 10 s apart."""
    entries = [f"[{10 * i},40.{i},50.{i},10000,400,90,0,0,{o}]" for i, o in enumerate(objects)]
    path.write_text('{"icao":"abc123","timestamp":1735100000,"trace":[' + ",".join(entries) + "]}")
    return path
