#!/bin/sh
# Reruns the Raft paper's leader-election experiment (Figure 16) on
# scenarios/raft-elections.json: for each election-timeout range, many seeds,
# one election time (rto_s) per seed. Writes target/election-lab/*.csv, then
# prints percentiles and draws the CDFs (target/election-lab/cdf.svg).
# Usage: tools/election-lab.sh [SEEDS] [NAME=VALUE ...]
#   SEEDS defaults to 1000 (the paper ran 1000 trials, 100 for 150-150); further
#   arguments are extra parameter settings, e.g. one_way_latency=1.
set -eu
cd "$(dirname "$0")/.."
SEEDS="${1:-1000}"
[ $# -gt 0 ] && shift
EXTRA=""
for kv in "$@"; do EXTRA="$EXTRA --set $kv"; done
BIN="${CARGO_TARGET_DIR:-target}/release/incident-replay"
[ -x "$BIN" ] || cargo build --release --bin incident-replay
OUT=target/election-lab
mkdir -p "$OUT"
run() { # name min max heartbeat seeds
  "$BIN" sweep scenarios/raft-elections.json --vary "election_timeout_max=$3..$3:1" --seeds "$5" \
    --set "election_timeout_min=$2" --set "heartbeat_interval=$4" $EXTRA --metrics rto_s --format csv > "$OUT/$1.csv"
}
# Top of Figure 16: 150 ms minimum, more and more randomness.
run 150-150 150 150 75 "$(( SEEDS < 100 ? SEEDS : 100 ))"
run 150-151 150 151 75 "$SEEDS"
run 150-155 150 155 75 "$SEEDS"
run 150-175 150 175 75 "$SEEDS"
run 150-200 150 200 75 "$SEEDS"
run 150-300 150 300 75 "$SEEDS"
# Bottom of Figure 16: shorter ranges, always with randomness (heartbeat = half the minimum).
run 12-24 12 24 6 "$SEEDS"
run 25-50 25 50 12.5 "$SEEDS"
run 50-100 50 100 25 "$SEEDS"
run 100-200 100 200 50 "$SEEDS"
python3 tools/election-cdf.py --svg "$OUT/cdf.svg" \
  "$OUT/150-150.csv" "$OUT/150-151.csv" "$OUT/150-155.csv" "$OUT/150-175.csv" "$OUT/150-200.csv" "$OUT/150-300.csv" \
  "$OUT/12-24.csv" "$OUT/25-50.csv" "$OUT/50-100.csv" "$OUT/100-200.csv"
