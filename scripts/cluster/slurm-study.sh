#!/usr/bin/env bash
# A PTQLab study as a Slurm job array: one array task per shard, each writing its own database,
# then one dependent job merging them and writing the report.
#
#   sbatch --array=0-15 scripts/cluster/slurm-study.sh paper-smollm2     # 16 shards
#   sbatch --dependency=afterok:<array job id> --export=ALL,PTQLAB_MERGE=1,SHARDS=16 \
#          scripts/cluster/slurm-study.sh paper-smollm2                  # merge + report
#
# STUDY is a bundled study name or a YAML path; OUT (default study-out/<study>) must be on a shared
# file system. Every shard resumes on requeue (finished experiments are kept in its database).
# One database per shard, merged at the end: SQLite's locking is unreliable over NFS and most
# cluster file systems, so shards on different nodes must not write one shared database (README,
# Studies, "Several processes, one database").
#SBATCH --job-name=ptqlab-study
#SBATCH --cpus-per-task=2
#SBATCH --mem=16G
#SBATCH --time=24:00:00
#SBATCH --requeue
#SBATCH --output=ptqlab-%A_%a.log
set -euo pipefail
STUDY="${1:?usage: slurm-study.sh STUDY}"
NAME="$(basename "$STUDY" .yaml)"
OUT="${OUT:-study-out/$NAME}"
PTQLAB="${PTQLAB:-.build/release/ptqlab}"
mkdir -p "$OUT/shards"
if [ "${PTQLAB_MERGE:-0}" = 1 ]; then
  SHARDS="${SHARDS:?set SHARDS to the array size}"
  "$PTQLAB" merge "$OUT"/shards/shard-*-of-"$SHARDS".db -o "$OUT/results.db"
  "$PTQLAB" report "$OUT/results.db" -o "$OUT/report"
  exit 0
fi
: "${SLURM_ARRAY_TASK_ID:?submit with --array=0-(N-1)}"
N="${SLURM_ARRAY_TASK_COUNT:-$((SLURM_ARRAY_TASK_MAX + 1))}"
"$PTQLAB" study "$STUDY" --shard "$SLURM_ARRAY_TASK_ID/$N" \
  --db "$OUT/shards/shard-$SLURM_ARRAY_TASK_ID-of-$N.db" --cache "$OUT/cache" --no-report
