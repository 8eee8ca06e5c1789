#!/usr/bin/env bash
# Builds llama.cpp's own command-line tools (llama-bench, llama-perplexity, llama-quantize,
# llama-imatrix) from the llama.cpp vendored in the pinned llama-cpp-python sdist
# (scripts/assets.tsv, line llama-cpp-python), as peers for `ptqlab bench` and reference checks.
# Not needed by tests or CI. Idempotent.
#
#   bash scripts/peers/build-llama-cpp.sh                      # both variants
#   PTQLAB_LLAMA_VARIANTS=avx2 bash scripts/peers/build-llama-cpp.sh
#
# Variants (each a CMake build folder; the binaries are in <folder>/bin and run from anywhere,
# since everything of llama.cpp is linked statically):
#   native  -DGGML_NATIVE=ON (-march=native)                         -> .peers/llama.cpp/native/bin/
#   avx2    -DGGML_NATIVE=OFF, AVX/AVX2/FMA/F16C/BMI2 on, every AVX-512 (F, VBMI, VNNI, BF16),
#           AVX-VNNI and AMX option off                              -> .peers/llama.cpp/avx2/bin/
#           (lets an AVX-512 machine measure llama.cpp's AVX2 code path)
# A variant whose four binaries exist and whose stamp (source sha256 + CMake options) matches is
# skipped; delete .peers/llama.cpp/<variant> to force a clean rebuild.
#
# Source: the sdist is read from $PTQLAB_ASSETS/downloads/ (default .assets/downloads/, filled by
# `bash scripts/setup.sh`), its sha256 checked against scripts/assets.tsv, and vendor/llama.cpp
# extracted into .peers/llama.cpp/src (the sdist's submodule `.git` pointer is dropped; the
# build commit is taken from the sdist's .git/modules/vendor/llama.cpp/HEAD instead, so
# llama-bench's build_commit names llama.cpp's commit, not PTQLab's).
#
# CMake (not a PTQLab dependency) is installed when missing:
#   - as root with apt-get: `apt-get install -y cmake` (Debian 12: cmake 3.25);
#   - otherwise: `pip install cmake` into the venv .peers/cmake-venv (needs python3 -m venv).
#   PTQLAB_CMAKE_FROM=apt|pip forces one of the two (default: auto, in that order).
#
# Environment: PTQLAB_ASSETS (asset folder, default .assets), PTQLAB_LLAMA_VARIANTS (default
# "native avx2"), PTQLAB_BUILD_JOBS (parallel compile jobs, default 2).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$PWD"
ASSETS="${PTQLAB_ASSETS:-$ROOT/.assets}"
PEERS="$ROOT/.peers"
LLAMA="$PEERS/llama.cpp"
SRC="$LLAMA/src"
VARIANTS="${PTQLAB_LLAMA_VARIANTS:-native avx2}"
JOBS="${PTQLAB_BUILD_JOBS:-2}"
TARGETS=(llama-bench llama-perplexity llama-quantize llama-imatrix)

log() { echo "build-llama-cpp: $*" >&2; }
die() { log "error: $*"; exit 1; }

# --- the pinned sdist ------------------------------------------------------------------------
pin="$(awk -F'\t' '$1 == "llama-cpp-python" { print $2 "\t" $3 "\t" $4; exit }' scripts/assets.tsv)"
[ -n "$pin" ] || die "no llama-cpp-python line in scripts/assets.tsv"
IFS=$'\t' read -r VERSION FILE SHA <<<"$pin"
TOP="${FILE%.tar.gz}"   # the sdist's top-level folder, e.g. llama_cpp_python-0.3.36

# --- llama.cpp source --------------------------------------------------------------------------
if [ -f "$SRC/.ptqlab-source" ] && [ "$(head -n1 "$SRC/.ptqlab-source")" = "$SHA" ]; then
  log "source: $SRC (llama-cpp-python $VERSION, already extracted)"
else
  archive="$ASSETS/downloads/$FILE"
  [ -f "$archive" ] || die "$archive not found; run \`bash scripts/setup.sh\` first (it downloads the pinned llama-cpp-python==$VERSION sdist; set PTQLAB_ASSETS if your assets live elsewhere)"
  got="$(sha256sum "$archive" | cut -d' ' -f1)"
  [ "$got" = "$SHA" ] || die "sha256 mismatch for $archive: expected $SHA, got $got (delete it and run \`bash scripts/setup.sh\`)"
  log "extracting $TOP/vendor/llama.cpp from $archive into $SRC"
  mkdir -p "$LLAMA"
  tmp="$LLAMA/.src.tmp"
  rm -rf "$tmp"; mkdir -p "$tmp"
  tar -xzf "$archive" -C "$tmp" --no-same-owner --strip-components=3 "$TOP/vendor/llama.cpp"
  # llama.cpp's commit (the sdist's llama.cpp is a git submodule; its gitdir is not extracted)
  commit="$(tar -xzOf "$archive" "$TOP/.git/modules/vendor/llama.cpp/HEAD" 2>/dev/null | tr -dc '0-9a-f' || true)"
  [ "${#commit}" = 40 ] || commit=unknown
  rm -f "$tmp/.git"   # dangling "gitdir: ../../.git/modules/vendor/llama.cpp" pointer
  [ -f "$tmp/CMakeLists.txt" ] && [ -f "$tmp/ggml/CMakeLists.txt" ] || die "$archive has no $TOP/vendor/llama.cpp"
  printf '%s\n%s\n' "$SHA" "$commit" > "$tmp/.ptqlab-source"
  rm -rf "$SRC"; mv "$tmp" "$SRC"
fi
COMMIT="$(sed -n 2p "$SRC/.ptqlab-source")"
SHORT="${COMMIT:0:8}"
[ "$COMMIT" = unknown ] && SHORT=unknown

# --- cmake ---------------------------------------------------------------------------------------
CMAKE=""
cmake_from_apt() {
  [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null || return 1
  log "installing cmake with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends cmake >/dev/null 2>&1 \
    || { apt-get update -qq && apt-get install -y -qq --no-install-recommends cmake >/dev/null; } || return 1
  CMAKE="$(command -v cmake)"
}
cmake_from_pip() {
  local venv="$PEERS/cmake-venv"
  if [ ! -x "$venv/bin/cmake" ]; then
    log "installing cmake with pip into $venv"
    [ -x "$venv/bin/python" ] || python3 -m venv "$venv" || return 1
    "$venv/bin/pip" install -q cmake || return 1
  fi
  CMAKE="$venv/bin/cmake"
}
case "${PTQLAB_CMAKE_FROM:-auto}" in
  apt) command -v cmake >/dev/null && CMAKE="$(command -v cmake)" || cmake_from_apt || die "apt-get install cmake failed" ;;
  pip) cmake_from_pip || die "pip install cmake into $PEERS/cmake-venv failed" ;;
  auto)
    if command -v cmake >/dev/null; then CMAKE="$(command -v cmake)"
    elif [ -x "$PEERS/cmake-venv/bin/cmake" ]; then CMAKE="$PEERS/cmake-venv/bin/cmake"
    else cmake_from_apt || cmake_from_pip || die "could not install cmake (apt-get as root, or pip into $PEERS/cmake-venv)"
    fi ;;
  *) die "PTQLAB_CMAKE_FROM must be apt, pip or auto" ;;
esac
log "cmake: $CMAKE ($("$CMAKE" --version | head -n1))"

# --- builds ---------------------------------------------------------------------------------------
COMMON=(
  -DCMAKE_BUILD_TYPE=Release
  -DBUILD_SHARED_LIBS=OFF            # static llama/ggml: the binaries run from their folder
  -DGGML_BACKEND_DL=OFF -DGGML_CPU_ALL_VARIANTS=OFF   # one CPU backend, compiled in
  -DGGML_CCACHE=OFF
  -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF   # no downloads (LLAMA_CURL is deprecated and ignored here)
  -DLLAMA_BUILD_COMMON=ON -DLLAMA_BUILD_TOOLS=ON
  -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=OFF -DLLAMA_BUILD_APP=OFF
  -DLLAMA_BUILD_COMMIT="$SHORT" -DLLAMA_BUILD_NUMBER=0
)
variant_args() {
  case "$1" in
    native) echo -DGGML_NATIVE=ON ;;
    avx2) echo -DGGML_NATIVE=OFF -DGGML_SSE42=ON -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON \
               -DGGML_F16C=ON -DGGML_BMI2=ON -DGGML_AVX_VNNI=OFF -DGGML_AVX512=OFF \
               -DGGML_AVX512_VBMI=OFF -DGGML_AVX512_VNNI=OFF -DGGML_AVX512_BF16=OFF \
               -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF ;;
    *) return 1 ;;
  esac
}

bins=()
for v in $VARIANTS; do
  vargs="$(variant_args "$v")" || die "unknown variant '$v' (PTQLAB_LLAMA_VARIANTS: native, avx2)"
  # shellcheck disable=SC2206
  args=("${COMMON[@]}" $vargs)
  dir="$LLAMA/$v"
  stamp="$SHA ${args[*]}"
  have=1
  for t in "${TARGETS[@]}"; do [ -x "$dir/bin/$t" ] || have=0; done
  if [ "$have" = 1 ] && [ -f "$dir/.ptqlab-build" ] && [ "$(head -n1 "$dir/.ptqlab-build")" = "$stamp" ]; then
    log "$v: up to date ($dir/bin)"
    bins+=("$dir/bin"); continue
  fi
  log "$v: configuring ($vargs)"
  start=$SECONDS
  # GIT_CEILING_DIRECTORIES: keep llama.cpp's git probes from finding PTQLab's own repository
  GIT_CEILING_DIRECTORIES="$LLAMA" "$CMAKE" -S "$SRC" -B "$dir" "${args[@]}" -Wno-dev > "$LLAMA/$v.configure.log" 2>&1 \
    || { tail -n 40 "$LLAMA/$v.configure.log" >&2; die "$v: cmake configure failed (log: $LLAMA/$v.configure.log)"; }
  log "$v: building ${TARGETS[*]} with -j$JOBS (log: $LLAMA/$v.build.log)"
  GIT_CEILING_DIRECTORIES="$LLAMA" "$CMAKE" --build "$dir" --config Release -j "$JOBS" --target "${TARGETS[@]}" > "$LLAMA/$v.build.log" 2>&1 \
    || { tail -n 40 "$LLAMA/$v.build.log" >&2; die "$v: build failed (log: $LLAMA/$v.build.log)"; }
  for t in "${TARGETS[@]}"; do [ -x "$dir/bin/$t" ] || die "$v: $dir/bin/$t missing after the build"; done
  secs=$((SECONDS - start))
  printf '%s\nbuilt %s in %ss (llama.cpp %s)\n' "$stamp" "$(date -u +%FT%TZ)" "$secs" "$COMMIT" > "$dir/.ptqlab-build"
  log "$v: built in ${secs}s"
  bins+=("$dir/bin")
done

for b in "${bins[@]}"; do echo "$b"; done
