#!/usr/bin/env bash
# Clean release builds of the kite binary at several revisions, in rounds
# whose order rotates (the first revision builds first in round 1, the
# second in round 2, ...), so that each revision builds in each position
# alike on a shared machine whose load drifts within a round
# (doc/adr/0011). Prints one line per build: round, revision, end time,
# position in the round, wall seconds, user+system CPU seconds, load.
#
#   benches/build_times_rotating.sh ROUNDS REV...
#
# Take ROUNDS a multiple of the number of revisions (benches/build_times.sh
# is this with two). Each revision is checked out in a scratch worktree
# with its own target directory; the dependencies are compiled too (a clean
# build), from the local registry cache.
set -euo pipefail
rounds=${1:?usage: benches/build_times_rotating.sh ROUNDS REV...}
shift
revs=("$@")
n=${#revs[@]}
[ "$n" -ge 2 ] || { echo "usage: benches/build_times_rotating.sh ROUNDS REV REV..." >&2; exit 2; }
repo=$(git rev-parse --show-toplevel)
scratch=$(mktemp -d)
cleanup() {
  for i in "${!revs[@]}"; do
    git -C "$repo" worktree remove --force "$scratch/w$i" 2>/dev/null || true
  done
  rm -rf "$scratch"
}
trap cleanup EXIT
for i in "${!revs[@]}"; do
  git -C "$repo" worktree add --detach "$scratch/w$i" "${revs[i]}" >/dev/null
  # Fetch once, outside the timings.
  (cd "$scratch/w$i" && cargo fetch --locked >/dev/null)
done
for r in $(seq 0 $((rounds - 1))); do
  for k in $(seq 0 $((n - 1))); do
    i=$(((k + r) % n))
    rm -rf "$scratch/w$i/target"
    /usr/bin/time -f "%e %U %S" -o "$scratch/time" \
      cargo build --release --locked --offline --bin kite \
      --manifest-path "$scratch/w$i/Cargo.toml" >/dev/null 2>&1
    read -r wall user sys <"$scratch/time"
    printf '%s %s %s pos=%s wall=%ss cpu=%.1fs load=%s\n' "$((r + 1))" "${revs[i]}" \
      "$(date +%H:%M:%S)" "$k" "$wall" "$(echo "$user + $sys" | bc)" "$(cut -d' ' -f1 /proc/loadavg)"
  done
done
