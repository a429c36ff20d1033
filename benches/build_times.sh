#!/usr/bin/env bash
# Clean release builds of the kite binary at two revisions, alternated so
# that both see the same machine load (doc/adr/0011): old then new in odd
# pairs, new then old in even ones, since a shared machine's load tends to
# drift within a pair (an even PAIRS balances the two). Prints one line per
# build: pair, revision, wall seconds, user+system CPU seconds. For more
# than two revisions: benches/build_times_rotating.sh.
#
#   benches/build_times.sh OLD_REV NEW_REV [PAIRS]
#
# Each revision is checked out in a scratch worktree with its own target
# directory; the dependencies are compiled too (a clean build), from the
# local registry cache.
set -euo pipefail
old=${1:?usage: benches/build_times.sh OLD_REV NEW_REV [PAIRS]}
new=${2:?usage: benches/build_times.sh OLD_REV NEW_REV [PAIRS]}
pairs=${3:-3}
repo=$(git rev-parse --show-toplevel)
scratch=$(mktemp -d)
cleanup() {
  git -C "$repo" worktree remove --force "$scratch/old" 2>/dev/null || true
  git -C "$repo" worktree remove --force "$scratch/new" 2>/dev/null || true
  rm -rf "$scratch"
}
trap cleanup EXIT
git -C "$repo" worktree add --detach "$scratch/old" "$old" >/dev/null
git -C "$repo" worktree add --detach "$scratch/new" "$new" >/dev/null
# Fetch once, outside the timings.
(cd "$scratch/old" && cargo fetch --locked >/dev/null)
(cd "$scratch/new" && cargo fetch --locked >/dev/null)
for i in $(seq "$pairs"); do
  if [ $((i % 2)) -eq 1 ]; then order="old new"; else order="new old"; fi
  for side in $order; do
    rm -rf "$scratch/$side/target"
    /usr/bin/time -f "$side %e %U %S" -o "$scratch/time" \
      cargo build --release --locked --offline --bin kite \
      --manifest-path "$scratch/$side/Cargo.toml" >/dev/null 2>&1
    read -r name wall user sys <"$scratch/time"
    printf '%s %s wall=%ss cpu=%.1fs\n' "$i" "$name" "$wall" "$(echo "$user + $sys" | bc)"
  done
done
