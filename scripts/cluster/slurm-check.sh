#!/usr/bin/env bash
# The cluster launcher against a real scheduler: starts a single-node Slurm on this machine from
# Debian's packages (munged, slurmctld and slurmd; a minimal slurm.conf written at run time under a
# temporary directory) and runs a small real study (the tiny Gemma 3 GGUF and tiny OPT fixtures,
# 24 experiments including calibrated GPTQ ones) through scripts/cluster/slurm-study.sh:
#
#  A. a 3-task job array plus its dependent merge job (afterok): the merged database must equal an
#     unsharded run's (`ptqlab audit --against`: same ids, every measurement equal within 1e-9
#     relative, integrity ok, no lease left), and the merge job must have written the report;
#  B. a 2-task array whose shard 1 is killed with scancel after it committed its first experiment
#     (its merge job then dies with the broken dependency), resubmitted alone (`--array=1`) with a
#     new merge job: again equal to the unsharded run, nothing lost, nothing twice (the killed
#     run's lease is made to look like another node's first, as a multi-node cluster would leave it).
#
#   bash scripts/cluster/slurm-check.sh            # needs root (apt, munged, slurmd); CI runs it
#
# Environment: PTQLAB (default .build/release/ptqlab, built if missing), SLURM_CHECK_KEEP=1 keeps
# the temporary directory and leaves the daemons running for a look with squeue/sinfo.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$PWD"
PTQLAB="${PTQLAB:-$ROOT/.build/release/ptqlab}"
START=$SECONDS
say() { printf 'slurm-check [%3ds]: %s\n' $((SECONDS - START)) "$*"; }
fail() { say "FAILED: $*"; dump_logs; exit 1; }

# --- Packages -----------------------------------------------------------------------------------
need=()
command -v slurmctld >/dev/null || need+=(slurmctld)
command -v slurmd >/dev/null || need+=(slurmd)
command -v sbatch >/dev/null || need+=(slurm-client)
command -v munged >/dev/null || need+=(munge)
if [ ${#need[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || { echo "slurm-check: needs ${need[*]} (Debian packages) and root to install them" >&2; exit 1; }
  say "apt-get install ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
[ "$(id -u)" = 0 ] || { echo "slurm-check: run as root (munged and slurmd start as system daemons)" >&2; exit 1; }
if [ ! -x "$PTQLAB" ]; then
  say "building ptqlab"
  swift build -c release --product ptqlab >/dev/null
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/ptqlab-slurm.XXXXXX")"
mkdir -p "$WORK/etc" "$WORK/state" "$WORK/spool" "$WORK/logs"
export SLURM_CONF="$WORK/etc/slurm.conf"
dump_logs() {
  for f in "$WORK"/logs/*.log "$WORK"/slurmctld.log "$WORK"/slurmd.log; do
    [ -f "$f" ] || continue
    echo "---- $f (last 40 lines)"; tail -n 40 "$f"
  done
}
cleanup() {
  local status=$?
  if [ "${SLURM_CHECK_KEEP:-0}" = 1 ]; then say "kept $WORK (SLURM_CONF=$SLURM_CONF)"; exit $status; fi
  scancel --partition=check 2>/dev/null || true
  sleep 1
  [ -f "$WORK/slurmd.pid" ] && kill "$(cat "$WORK/slurmd.pid")" 2>/dev/null || true
  [ -f "$WORK/slurmctld.pid" ] && kill "$(cat "$WORK/slurmctld.pid")" 2>/dev/null || true
  sleep 1
  rm -rf "$WORK"
  exit $status
}
trap cleanup EXIT

# --- munge ----------------------------------------------------------------------------------------
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  [ -f /etc/munge/munge.key ] || { mungekey --create --keyfile=/etc/munge/munge.key; chown munge:munge /etc/munge/munge.key; chmod 600 /etc/munge/munge.key; }
  mkdir -p /run/munge /var/lib/munge /var/log/munge
  chown munge:munge /run/munge /var/lib/munge /var/log/munge
  runuser -u munge -- /usr/sbin/munged
  for _ in $(seq 50); do munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.1; done
fi
munge -n | unmunge >/dev/null || fail "munged does not answer"
say "munge up"

# --- Slurm: one node, this machine ------------------------------------------------------------------
HOST="$(hostname -s)"
CPUS="$(nproc)"
MEM_MB=$(( $(awk '/^MemTotal:/ {print $2}' /proc/meminfo) / 1024 - 512 ))
cat > "$SLURM_CONF" <<CONF
ClusterName=ptqlab-check
SlurmctldHost=$HOST(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=$WORK/state
SlurmdSpoolDir=$WORK/spool
SlurmctldPidFile=$WORK/slurmctld.pid
SlurmdPidFile=$WORK/slurmd.pid
SlurmctldLogFile=$WORK/slurmctld.log
SlurmdLogFile=$WORK/slurmd.log
SlurmctldPort=6817
SlurmdPort=6818
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU_Memory
SchedulerType=sched/backfill
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
ReturnToService=2
SlurmctldTimeout=30
SlurmdTimeout=30
KillWait=5
MinJobAge=600
NodeName=$HOST NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=$MEM_MB State=UNKNOWN
PartitionName=check Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
CONF
slurmctld -f "$SLURM_CONF" || fail "slurmctld did not start"
slurmd -f "$SLURM_CONF" || fail "slurmd did not start"
for _ in $(seq 120); do
  state="$(sinfo -h -n "$HOST" -o %T 2>/dev/null || true)"
  [ "$state" = idle ] && break
  sleep 0.5
done
[ "$state" = idle ] || fail "node $HOST is '$state', not idle"
say "slurm up: $(sinfo -h -o '%P %D node(s) %c cpus %m MB %T') ($(sbatch --version))"

# --- The study, and the unsharded reference ---------------------------------------------------------
cat > "$WORK/check.yaml" <<YAML
name: check
models: [$ROOT/Fixtures/models/tiny-gemma3/model.gguf, $ROOT/Fixtures/models/tiny-opt]
methods: [rtn]
schemes:
  - {bits: [8, 6, 5, 4, 3], granularity: [row, g16]}
  - {bits: 4, granularity: g16, methods: [gptq]}
calibration: {corpus: wiki, samples: 4, length: 32}
evaluation: {context: 32, perplexity: {corpora: [wiki], max_windows: 4}, kl: {corpora: [wiki], max_windows: 2}}
YAML
say "unsharded reference run"
"$PTQLAB" study "$WORK/check.yaml" --db "$WORK/reference.db" --cache "$WORK/reference-cache" --no-report --quiet > "$WORK/logs/reference.log" 2>&1 \
  || fail "the unsharded run failed"
TOTAL="$("$PTQLAB" audit "$WORK/reference.db" --study "$WORK/check.yaml" | sed -n 's/.*: \([0-9]*\) rows.*/\1/p')"
[ "${TOTAL:-0}" -ge 20 ] || fail "the reference holds ${TOTAL:-0} experiments"
say "reference: $TOTAL experiments"

export PTQLAB
job_state() { scontrol show job "$1" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' | head -1; }
# Waits until no job of the given ids is pending or running (timeout 600 s).
wait_jobs() {
  local deadline=$((SECONDS + 600))
  while [ -n "$(squeue -h -j "$(IFS=,; echo "$*")" -o %i 2>/dev/null)" ]; do
    [ $SECONDS -lt $deadline ] || fail "jobs $* still queued after 600 s: $(squeue -h -o '%i %T %r')"
    sleep 1
  done
}
# Rows in a database (its audit may fail, e.g. on the lease a cancelled shard leaves: only the count is read).
rows() { { "$PTQLAB" audit "$1" 2>/dev/null || true; } | sed -n 's/.*: \([0-9]*\) rows.*/\1/p'; }
leases() { { "$PTQLAB" audit "$1" 2>/dev/null || true; } | sed -n 's/.*, \([0-9]*\) leases.*/\1/p'; }
submit_shards() {   # OUT SHARDS ARRAY → job id
  OUT="$1" SHARDS="$2" sbatch --parsable --chdir="$ROOT" --cpus-per-task=1 --mem=2G --time=30 \
    --array="$3" --output="$WORK/logs/shard-%A_%a.log" scripts/cluster/slurm-study.sh "$WORK/check.yaml"
}
submit_merge() {    # OUT SHARDS AFTER → job id
  OUT="$1" SHARDS="$2" sbatch --parsable --chdir="$ROOT" --cpus-per-task=1 --mem=2G --time=30 \
    --dependency="afterok:$3" --kill-on-invalid-dep=yes --export=ALL,PTQLAB_MERGE=1 \
    --output="$WORK/logs/merge-%j.log" scripts/cluster/slurm-study.sh "$WORK/check.yaml"
}
check_merged() {    # OUT MERGE_JOB
  [ "$(job_state "$2")" = COMPLETED ] || fail "merge job $2 ended $(job_state "$2")"
  "$PTQLAB" audit "$1/results.db" --study "$WORK/check.yaml" --against "$WORK/reference.db" > "$WORK/logs/audit.txt" \
    || { cat "$WORK/logs/audit.txt"; fail "the merged database differs from the unsharded run"; }
  [ -f "$1/report/report.md" ] || fail "the merge job wrote no report in $1/report"
  say "  $(head -1 "$WORK/logs/audit.txt")"
}

# --- A: job array + dependent merge ---------------------------------------------------------------------
say "A: 3-shard job array + merge"
A_ARRAY="$(submit_shards "$WORK/a" 3 0-2)"
A_MERGE="$(submit_merge "$WORK/a" 3 "$A_ARRAY")"
wait_jobs "$A_ARRAY" "$A_MERGE"
for i in 0 1 2; do
  [ "$(job_state "${A_ARRAY}_$i")" = COMPLETED ] || fail "array task ${A_ARRAY}_$i ended $(job_state "${A_ARRAY}_$i")"
done
check_merged "$WORK/a" "$A_MERGE"
say "A passed: array $A_ARRAY (3 tasks) and merge $A_MERGE COMPLETED, merged = unsharded"

# --- B: scancel a shard mid-run, resubmit it alone ----------------------------------------------------
say "B: 2-shard job array, shard 1 cancelled after its first experiment"
B_ARRAY="$(submit_shards "$WORK/b" 2 0-1)"
B_MERGE="$(submit_merge "$WORK/b" 2 "$B_ARRAY")"
DB1="$WORK/b/shards/shard-1-of-2.db"
deadline=$((SECONDS + 300))
until [ -f "$DB1" ] && [ "$(rows "$DB1")" -ge 1 ] 2>/dev/null; do
  [ $SECONDS -lt $deadline ] || fail "shard 1 committed nothing in 300 s"
  [ "$(job_state "${B_ARRAY}_1")" = COMPLETED ] && fail "shard 1 finished before it could be cancelled"
  sleep 0.2
done
scancel "${B_ARRAY}_1"
wait_jobs "${B_ARRAY}_1"
[ "$(job_state "${B_ARRAY}_1")" = CANCELLED ] || fail "shard 1 ended $(job_state "${B_ARRAY}_1"), not CANCELLED"
KEPT="$(rows "$DB1")"
LEFT="$(leases "$DB1")"
# (the audit fails, since experiments are missing: only its counts are read here)
EXPECTED1="$({ "$PTQLAB" audit "$DB1" --study "$WORK/check.yaml" --shard 1/2 2>/dev/null || true; } | sed -n 's/.*rows, \([0-9]*\) expected.*/\1/p')"
[ "$KEPT" -lt "$EXPECTED1" ] || fail "shard 1 had finished all $EXPECTED1 experiments before the cancel"
wait_jobs "${B_ARRAY}_0" "$B_MERGE"
[ "$(job_state "${B_ARRAY}_0")" = COMPLETED ] || fail "shard 0 ended $(job_state "${B_ARRAY}_0")"
B_MERGE_STATE="$(job_state "$B_MERGE")"
[ "$B_MERGE_STATE" != COMPLETED ] || fail "the merge ran although shard 1 was cancelled"
[ ! -f "$WORK/b/results.db" ] || fail "a merged database exists although shard 1 was cancelled"
say "  shard 1 CANCELLED with $KEPT of $EXPECTED1 experiments committed, $LEFT lease(s) left by the killed run; merge job $B_MERGE $B_MERGE_STATE (dependency broken)"
# On a real cluster the resubmitted shard may start on another node, where the killed run's lease
# (fresh heartbeat, another host) would keep its experiment for 10 minutes; study-shard.sh runs
# shards with --sole-writer so that it is taken over at once. Make the lease look like another
# node's, as it would there.
if [ "$LEFT" -gt 0 ]; then
  python3 -c 'import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute("UPDATE lease SET host = ?", ("node-elsewhere",)); c.commit()' "$DB1"
fi
B_AGAIN="$(submit_shards "$WORK/b" 2 1)"
B_MERGE2="$(submit_merge "$WORK/b" 2 "$B_AGAIN")"
wait_jobs "$B_AGAIN" "$B_MERGE2"
[ "$(job_state "${B_AGAIN}_1")" = COMPLETED ] || fail "resubmitted shard 1 ended $(job_state "${B_AGAIN}_1")"
[ "$(leases "$DB1")" = 0 ] || fail "the resubmitted shard left a lease in $DB1"
grep -q "$KEPT already done" "$WORK/logs/shard-${B_AGAIN}_1.log" \
  || fail "the resubmitted shard did not skip its $KEPT finished experiments: $(grep 'study check:' "$WORK/logs/shard-${B_AGAIN}_1.log" | tail -1)"
check_merged "$WORK/b" "$B_MERGE2"
say "B passed: resubmitted shard 1 ($B_AGAIN) skipped its $KEPT finished experiments, merge $B_MERGE2 = unsharded"
say "passed in $((SECONDS - START)) s"
