#!/usr/bin/env bash
# Renders a study report (report.html) to a PNG with Debian's headless Chromium, to check that the
# inline SVG charts actually draw (axes, points, legends, heat-map colours).
#
#   scripts/report/screenshot.sh REPORT.html OUT.png [WIDTHxHEIGHT]   # default 1200x3000
#
# Needs `chromium` (Debian package: apt-get install -y chromium). To get a report from the test
# fixtures without the CLI:
#   PTQLAB_REPORT_OUT=/tmp/ptqlab-report swift test -c release --filter StudyReportTests
#   scripts/report/screenshot.sh /tmp/ptqlab-report/report.html /tmp/ptqlab-report.png
set -euo pipefail

if [ $# -lt 2 ]; then
    echo "usage: $0 REPORT.html OUT.png [WIDTHxHEIGHT]" >&2
    exit 2
fi
html=$1
out=$2
size=${3:-1200x3000}
[ -f "$html" ] || { echo "$0: $html: no such file" >&2; exit 1; }

browser=""
for candidate in chromium chromium-browser google-chrome; do
    if command -v "$candidate" >/dev/null 2>&1; then browser=$candidate; break; fi
done
if [ -z "$browser" ]; then
    echo "$0: chromium not found; install it with: apt-get install -y chromium" >&2
    exit 1
fi

abs_html=$(cd "$(dirname "$html")" && pwd)/$(basename "$html")
case "$out" in /*) abs_out=$out ;; *) abs_out=$(pwd)/$out ;; esac
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT

# --headless (the new headless mode), no sandbox (root in containers), no GPU; a throwaway profile
# keeps it from touching the user's; --hide-scrollbars keeps the page width exact.
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$profile" \
    --window-size="${size/x/,}" --screenshot="$abs_out" "file://$abs_html" >/dev/null 2>&1 || true

if [ ! -s "$abs_out" ]; then
    echo "$0: chromium wrote no screenshot to $abs_out" >&2
    exit 1
fi
echo "$abs_out"
