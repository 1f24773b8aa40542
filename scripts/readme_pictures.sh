#!/usr/bin/env bash
# Remake the README pictures of the default map with `flightmap snapshot`:
#   docs/map-laptop.png  1366x768 (a laptop screen)
#   docs/map-phone.png    390x844 (a phone held upright)
# Offline by default (--offline: CDN files from the npm asset cache, no map tiles), so the
# pictures show the page's own offline basemap and do not depend on a tile server; set
# SNAPSHOT_ARGS="" to draw them with online tiles instead. Each PNG must stay under 400 KB;
# optipng or oxipng, when installed, makes them smaller (lossless).
# Env: FLIGHTMAP (default .venv/bin/flightmap), PYTHON (default .venv/bin/python),
#      SNAPSHOT_ARGS (default --offline), FLIGHTMAP_ASSET_CACHE, FLIGHTMAP_CHROMIUM.
set -euo pipefail
cd "$(dirname "$0")/.."

FLIGHTMAP="${FLIGHTMAP:-.venv/bin/flightmap}"
[ -x "$FLIGHTMAP" ] || FLIGHTMAP="$(command -v flightmap)"
PYTHON="${PYTHON:-.venv/bin/python}"
[ -x "$PYTHON" ] || PYTHON="$(command -v python3)"
read -r -a EXTRA <<< "${SNAPSHOT_ARGS---offline}"
MAX_BYTES=$((400 * 1024))

# The map's JS/CSS, offline: a no-op when the cache is filled (else `npm pack`, needs npm).
"$PYTHON" -m flightmap.offline_assets >/dev/null

mkdir -p docs
shoot() {  # name size
    local out="docs/map-$1.png"
    "$FLIGHTMAP" snapshot -o "$out" --size "$2" "${EXTRA[@]}" >/dev/null
    if command -v oxipng >/dev/null; then
        oxipng -q -o 4 --strip safe "$out"
    elif command -v optipng >/dev/null; then
        optipng -quiet -o2 -strip all "$out"
    fi
    local bytes
    bytes=$(wc -c < "$out")
    echo "$out  $2  $bytes bytes"
    if [ "$bytes" -ge "$MAX_BYTES" ]; then
        echo "readme_pictures: $out is $bytes bytes, over the 400 KB budget" >&2
        return 1
    fi
}
shoot laptop 1366x768
shoot phone 390x844
