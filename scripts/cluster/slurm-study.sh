#!/usr/bin/env bash
# A PTQLab study as a Slurm job array: one array task per shard, each writing its own database,
# then one dependent job merging them, auditing the merge and writing the report. The work itself
# is scripts/cluster/study-shard.sh (the contract shared with the Kubernetes manifest); this file
# maps Slurm's array index onto it.
#
#   export SHARDS=16 OUT=/shared/study-out/paper-smollm2
#   jid=$(sbatch --parsable --array=0-$((SHARDS - 1)) scripts/cluster/slurm-study.sh paper-smollm2)
#   sbatch --dependency=afterok:$jid --export=ALL,PTQLAB_MERGE=1 scripts/cluster/slurm-study.sh paper-smollm2
#
# A shard cancelled (scancel) or lost resumes where it stopped when submitted again alone:
#   sbatch --array=5 scripts/cluster/slurm-study.sh paper-smollm2       # SHARDS still exported
# (SHARDS must be set explicitly for that reason: a one-task resubmission's array size is 1).
# `scontrol requeue` works too (--requeue below). STUDY is a bundled study name or a YAML path;
# OUT (default study-out/<study>) must be on a file system every node sees. Tested against a real
# single-node Slurm by scripts/cluster/slurm-check.sh (CI).
#SBATCH --job-name=ptqlab-study
#SBATCH --cpus-per-task=2
#SBATCH --mem=16G
#SBATCH --time=24:00:00
#SBATCH --requeue
#SBATCH --output=ptqlab-%A_%a.log
set -euo pipefail
export STUDY="${1:?usage: slurm-study.sh STUDY (with SHARDS exported)}"
: "${SHARDS:?export SHARDS (the number of shards) before sbatch}"
export SHARDS
# sbatch runs a copy of this file from Slurm's spool directory: find study-shard.sh from the
# directory the job was submitted in (SLURM_SUBMIT_DIR), unless PTQLAB_CLUSTER_SCRIPTS says where.
SCRIPTS="${PTQLAB_CLUSTER_SCRIPTS:-${SLURM_SUBMIT_DIR:-.}/scripts/cluster}"
if [ "${PTQLAB_MERGE:-0}" = 1 ]; then
  exec bash "$SCRIPTS/study-shard.sh"
fi
: "${SLURM_ARRAY_TASK_ID:?submit with --array=0-(SHARDS-1)}"
export SHARD="$SLURM_ARRAY_TASK_ID"
exec bash "$SCRIPTS/study-shard.sh"
