#!/usr/bin/env bash
# Renders a `sealbench report` directory in headless Chromium and checks it:
#   DIR/summary.png     the whole one-page review summary (summary.html), cropped to content
#   DIR/screenshot.png  the first screen of index.html (1400×1100): must be the summary
# Checks: index.html has the summary first and every appendix section, inline SVG plots,
# no network references; both screenshots are non-blank.
#
#   scripts/render-report.sh DIR      (exit 1 if a check fails, 2 if it cannot run)
#
# Installs Debian's chromium if it is missing (needs root and apt). No network is used by
# the pages themselves: index.html and summary.html are self-contained.
set -euo pipefail

dir=${1:?usage: scripts/render-report.sh DIR}
html="$dir/index.html"
summary="$dir/summary.html"
for f in "$html" "$summary"; do
  [ -f "$f" ] || { echo "render-report: $f not found" >&2; exit 2; }
done
abs=$(cd "$dir" && pwd)

browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "render-report: installing chromium (apt-get)" >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    browser=$(command -v chromium)
  else
    echo "render-report: chromium not installed and cannot install it (not root or no apt)" >&2
    exit 2
  fi
fi

fail=0
check() { # check DESCRIPTION COMMAND...
  local what=$1; shift
  if "$@"; then echo "ok   $what"; else echo "FAIL $what"; fail=1; fi
}

# Static checks of the HTML: the summary before the appendices, every section present.
first=$(grep -o '<section id="[a-z]*">' "$html" | head -1)
check "summary is the first section ($first)" test "$first" = '<section id="summary">'
for id in summary decision conformance environment costs overhead wire throughput speedup comparison; do
  check "section #$id present" grep -q "<section id=\"$id\">" "$html"
done
svgs=$(grep -o '<svg' "$summary" | wc -l)
check "summary has its plots inline ($svgs SVG)" test "$svgs" -ge 3
for f in "$html" "$summary"; do
  check "no remote src/href in $(basename "$f")" bash -c "! grep -Eq '(src|href)=[\"'\'']?https?:' '$f'"
  check "no scripts or external stylesheets in $(basename "$f")" bash -c "! grep -Eq '<script|<link ' '$f'"
done

profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
shoot() { # shoot PAGE OUT WIDTH HEIGHT
  "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" --hide-scrollbars --force-device-scale-factor=1 \
    --window-size="$3,$4" --screenshot="$2" "file://$abs/$1" >/dev/null 2>&1 || true
}

# The PNG tool: `crop FILE` trims trailing white rows (keeps a margin); `check FILE`
# exits 1 if the image is blank. Pure Python (zlib), no imaging library needed.
png_tool() {
  python3 - "$@" <<'PY'
import struct, sys, zlib

def read(path):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, ihdr = 8, b"", None
    while pos < len(data):
        (n,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        if kind == b"IHDR":
            ihdr = data[pos + 8:pos + 8 + n]
        elif kind == b"IDAT":
            idat += data[pos + 8:pos + 8 + n]
        pos += 12 + n
    w, h, depth, ctype = struct.unpack(">IIBB", ihdr[:10])
    assert depth == 8 and ctype in (2, 6), f"unsupported PNG (depth {depth}, type {ctype})"
    bpp = 3 if ctype == 2 else 4
    raw, stride, rows, prev = zlib.decompress(idat), w * bpp, [], bytearray(w * bpp)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1: line[i] = (line[i] + a) & 255
            elif f == 2: line[i] = (line[i] + b) & 255
            elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, ctype, bpp, rows

def write(path, w, ctype, rows):
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    ihdr = struct.pack(">IIBBBBB", w, len(rows), 8, ctype, 0, 0, 0)
    body = zlib.compress(b"".join(b"\0" + r for r in rows), 9)
    open(path, "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", body) + chunk(b"IEND", b""))

cmd, path = sys.argv[1], sys.argv[2]
w, h, ctype, bpp, rows = read(path)
white = lambda r: all(v >= 250 for i, v in enumerate(r) if bpp == 3 or i % 4 != 3)
if cmd == "crop":
    last = max((y for y, r in enumerate(rows) if not white(r)), default=0)
    keep = min(h, last + 24)
    write(path, w, ctype, rows[:keep])
    print(f"     {path}: {w}x{keep} (cropped from {h} rows)")
else:
    inked = sum(1 for r in rows if not white(r))
    print(f"     {path}: {w}x{h}, {inked} rows with content")
    sys.exit(0 if inked > h // 10 else 1)
PY
}

shot="$abs/screenshot.png"
summary_png="$abs/summary.png"
rm -f "$shot" "$summary_png"
shoot index.html "$shot" 1400 1100
shoot summary.html "$summary_png" 1400 6000
check "first screen of index.html written" test -s "$shot"
check "summary page written" test -s "$summary_png"
[ -s "$summary_png" ] && png_tool crop "$summary_png"
for f in "$shot" "$summary_png"; do
  [ -s "$f" ] && check "$(basename "$f") is not blank" png_tool check "$f"
done

exit "$fail"
