#!/usr/bin/env bash
# Clean release builds of the kite binary at two revisions, alternated so
# that both see the same machine load (doc/adr/0011): old then new in odd
# pairs, new then old in even ones, since a shared machine's load tends to
# drift within a pair (an even PAIRS balances the two). The rotating
# harness with two revisions does exactly that; its lines name the pair
# (round), revision, end time, position, wall and CPU seconds, and load.
#
#   benches/build_times.sh OLD_REV NEW_REV [PAIRS]
set -euo pipefail
usage="usage: benches/build_times.sh OLD_REV NEW_REV [PAIRS]"
old=${1:?$usage}
new=${2:?$usage}
exec "$(dirname "$0")/build_times_rotating.sh" "${3:-3}" "$old" "$new"
