#!/usr/bin/env bash
# One shard of a PTQLab study, or the merge of all its shards: the one contract that every cluster
# launcher uses (scripts/cluster/slurm-study.sh for Slurm, scripts/cluster/k8s-study-job.yaml for
# Kubernetes). Settings come from the environment:
#
#   STUDY          bundled study name or YAML path (required)
#   SHARDS         number of shards the study is split into (required)
#   SHARD          this shard's index, 0 … SHARDS-1 (required unless PTQLAB_MERGE=1)
#   OUT            results directory on a file system every node sees (default study-out/<study name>):
#                  OUT/shards/shard-<i>-of-<n>.db per shard, OUT/cache shared, OUT/results.db and
#                  OUT/report/ after the merge
#   PTQLAB         the ptqlab binary (default .build/release/ptqlab)
#   PTQLAB_MERGE=1 merge instead of running a shard: checks that every shard's database exists,
#                  merges them, audits the merged database against the study (each experiment
#                  exactly once, nothing missing), then writes the report
#
# A shard that is killed (scancel, node failure, pod eviction) and started again resumes: finished
# experiments are kept in its database and skipped. One database per shard because SQLite's
# locking is unreliable over NFS and most cluster file systems (README, "Studies").
set -euo pipefail
: "${STUDY:?set STUDY to a bundled study name or a YAML path}"
: "${SHARDS:?set SHARDS to the number of shards}"
case "$SHARDS" in ''|*[!0-9]*|0) echo "study-shard: SHARDS must be a positive integer, got '$SHARDS'" >&2; exit 2 ;; esac
NAME="$(basename "$STUDY" .yaml)"
OUT="${OUT:-study-out/$NAME}"
PTQLAB="${PTQLAB:-.build/release/ptqlab}"
mkdir -p "$OUT/shards"

if [ "${PTQLAB_MERGE:-0}" = 1 ]; then
  dbs=()
  for ((i = 0; i < SHARDS; i++)); do
    db="$OUT/shards/shard-$i-of-$SHARDS.db"
    [ -f "$db" ] || { echo "study-shard: $db is missing: shard $i of $SHARDS never ran; run it, then merge again" >&2; exit 1; }
    dbs+=("$db")
  done
  "$PTQLAB" merge "${dbs[@]}" -o "$OUT/results.db"
  "$PTQLAB" audit "$OUT/results.db" --study "$STUDY"
  "$PTQLAB" report "$OUT/results.db" -o "$OUT/report"
  exit 0
fi

: "${SHARD:?set SHARD to the index of this shard (0 … SHARDS-1)}"
case "$SHARD" in ''|*[!0-9]*) echo "study-shard: SHARD must be an integer, got '$SHARD'" >&2; exit 2 ;; esac
[ "$SHARD" -lt "$SHARDS" ] || { echo "study-shard: SHARD $SHARD is not below SHARDS $SHARDS" >&2; exit 2; }
exec "$PTQLAB" study "$STUDY" --shard "$SHARD/$SHARDS" \
  --db "$OUT/shards/shard-$SHARD-of-$SHARDS.db" --cache "$OUT/cache" --no-report --sole-writer
