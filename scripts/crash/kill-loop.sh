#!/usr/bin/env bash
# Crash test of the results database: runs a small real study (the tiny Gemma 3 and OPT fixtures,
# ten experiments including a calibrated GPTQ one) and kills it with SIGKILL at seeded random
# moments (startup, model load, quantization, a row's commit, the report), resuming after each
# kill, for KILLS kills (default 24). After every completed round it checks: every expected id
# exactly once, each row's measurements equal to an uninterrupted run's (timings, finish time and
# machine excluded; 1e-9 relative), PRAGMA integrity_check = ok, no leases left behind.
# The loop and the checks are Swift (Tests/CLITests/CrashLoopTests.swift, Sources/Study/Results/StoreAudit.swift);
# CI runs the same test with 4 kills.
#
#   scripts/crash/kill-loop.sh [KILLS] [SEED]
set -euo pipefail
cd "$(dirname "$0")/../.."
export PTQLAB_CRASH_KILLS="${1:-24}"
export PTQLAB_CRASH_SEED="${2:-20261203}"
swift test -c release --filter 'CrashLoopTests/killedAtRandomMoments' 2>&1 | tee "${TMPDIR:-/tmp}/ptqlab-kill-loop.log" \
  | grep -E 'crash loop:|Test run|passed|failed|error' || true
grep -q 'crash loop: seed' "${TMPDIR:-/tmp}/ptqlab-kill-loop.log" && ! grep -q ' failed' "${TMPDIR:-/tmp}/ptqlab-kill-loop.log"
