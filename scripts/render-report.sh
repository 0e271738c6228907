#!/usr/bin/env bash
# Renders a `sealbench report` directory's index.html in headless Chromium and checks it:
# the screenshot is not blank, and index.html has every section and inline SVG plots.
#
#   scripts/render-report.sh DIR      (writes DIR/screenshot.png; exit 1 if a check fails)
#
# Installs Debian's chromium if it is missing (needs root and apt). No network is used by
# the page itself: index.html is self-contained.
set -euo pipefail

dir=${1:?usage: scripts/render-report.sh DIR}
html="$dir/index.html"
[ -f "$html" ] || { echo "render-report: $html not found" >&2; exit 2; }
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

# Static checks of the HTML.
for id in environment conformance throughput costs overhead speedup wire decision comparison; do
  check "section #$id present" grep -q "<section id=\"$id\">" "$html"
done
svgs=$(grep -o '<svg' "$html" | wc -l)
check "inline SVG plots ($svgs)" test "$svgs" -ge 1
check "no remote src/href" bash -c "! grep -Eq '(src|href)=[\"'\'']?https?:' '$html'"
check "no scripts or external stylesheets" bash -c "! grep -Eq '<script|<link ' '$html'"

# Screenshot.
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
shot="$abs/screenshot.png"
rm -f "$shot"
"$browser" --headless --no-sandbox --disable-gpu --disable-background-networking \
  --disable-component-update --disable-sync --no-first-run --user-data-dir="$profile" \
  --hide-scrollbars --window-size=1400,4000 --screenshot="$shot" "file://$abs/index.html" \
  >/dev/null 2>&1 || true
check "screenshot written" test -s "$shot"

# Not blank: the PNG's decompressed scanlines must vary (a blank page filters to zeros).
if [ -s "$shot" ]; then
  check "screenshot is not blank" python3 - "$shot" <<'PY'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat = 8, b""
while pos < len(data):
    (n,) = struct.unpack(">I", data[pos:pos + 4])
    kind = data[pos + 4:pos + 8]
    if kind == b"IDAT":
        idat += data[pos + 8:pos + 8 + n]
    pos += 12 + n
raw = zlib.decompress(idat)
nonzero = sum(1 for b in raw if b) / len(raw)
distinct = len(set(raw))
print(f"     {len(data)} bytes, {distinct} distinct byte values, {nonzero:.1%} non-zero")
sys.exit(0 if distinct > 64 and nonzero > 0.005 else 1)
PY
fi

exit "$fail"
