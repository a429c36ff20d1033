#!/usr/bin/env bash
# kite beside cdktf (issue 11), same machine, same run: the `kite` and
# `local` stacks, and the scale stack at N = 1,000 and 10,000, each timed
# with hyperfine for both tools in one invocation; then medians and the
# ratio cdktf/kite. With --loop, also the edit→synth loop.
#
#   benches/cdktf/compare.sh [options] KITE_BIN SCALE_BIN
#   benches/cdktf/compare.sh target/release/kite target/release/examples/scale
#
# Options:
#   --runs N       exactly N runs per command and block; by default
#                  hyperfine's own rule (at least 3 s of runs) with at least
#                  20 runs for the stacks, 10 at N = 1,000, 5 at N = 10,000
#                  (cdktf takes about 17 s there) and 8 for the loops
#   --warmup N     warm-up runs per command and block (default 2)
#   --blocks N     repeat each hyperfine invocation N times, alternating
#                  which tool goes first; the report pools the runs of all
#                  blocks (median) and shows the best block (default 1)
#   --sizes "A B"  scale sizes (default "1000 10000"); "" skips the scale
#   --fresh        delete both outputs before every run (hyperfine
#                  --prepare); by default each tool finds its previous
#                  output in place, as in an edit-synth session
#   --loop         also time cdktf's edit→synth loop: toggle one line of
#                  main.ts (a Lambda timeout, 15↔16), then `npx tsc && node`
#   --no-npx       in cdktf's loop, run node_modules/.bin/tsc, not `npx tsc`
#                  (npx costs about 0.8 s a run here)
#   --kite-loop    also time kite's loop: toggle `.timeout(15)`↔`.timeout(16)`
#                  in stacks/kite.rs, then `cargo run --profile fast -q --
#                  synth kite local` (compiles in the repository: heavy)
#   --out DIR      where the hyperfine JSON and the report go (default: a
#                  new directory under /tmp, printed at the end)
#
# Needs: hyperfine, node >= 20.6 (--env-file), python3, zip; `npm ci` done
# in benches/cdktf (the script runs `npx tsc` once if dist/ is missing or
# older than the sources). Every file the loops toggle is restored on exit.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
hyperfine=/usr/bin/hyperfine

runs=""
warmup=2
blocks=1
sizes="1000 10000"
fresh=0
loop=0
npx_tsc="npx tsc"
kite_loop=0
out=""
usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; }
while [[ $# -gt 0 ]]; do
  case $1 in
    --runs) [[ $# -ge 2 ]] || { usage >&2; exit 2; }; runs=$2; shift 2 ;;
    --warmup) [[ $# -ge 2 ]] || { usage >&2; exit 2; }; warmup=$2; shift 2 ;;
    --blocks) [[ $# -ge 2 ]] || { usage >&2; exit 2; }; blocks=$2; shift 2 ;;
    --sizes) [[ $# -ge 2 ]] || { usage >&2; exit 2; }; sizes=$2; shift 2 ;;
    --fresh) fresh=1; shift ;;
    --loop) loop=1; shift ;;
    --no-npx) npx_tsc=./node_modules/.bin/tsc; shift ;;
    --kite-loop) kite_loop=1; shift ;;
    --out) [[ $# -ge 2 ]] || { usage >&2; exit 2; }; out=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "unknown option $1" >&2; usage >&2; exit 2 ;;
    *) break ;;
  esac
done
if [[ $# -ne 2 ]]; then
  usage >&2
  exit 2
fi
kite=$(realpath "$1")
scale=$(realpath "$2")
for bin in "$kite" "$scale"; do
  [[ -x $bin ]] || { echo "not an executable: $bin (cargo build --release --bin kite --example scale)" >&2; exit 2; }
done
[[ -d $here/node_modules ]] || { echo "run \`npm ci\` in $here first" >&2; exit 2; }

# Build the cdktf app once, outside the timings, if it is missing or stale.
if [[ ! -f $here/dist/main.js || ! -f $here/dist/scale.js ||
      $here/main.ts -nt $here/dist/main.js || $here/scale.ts -nt $here/dist/scale.js ]]; then
  (cd "$here" && npx tsc)
fi

# A project directory outside any Cargo project (kite would take the
# nearest Cargo.toml above as the project): the same .env for both tools
# and a small Lambda package.
scratch=$(mktemp -d /tmp/kite-vs-cdktf.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
proj=$scratch/project
mkdir -p "$proj"
printf 'exports.handler = async () => "ok";\n' >"$scratch/index.js"
(cd "$scratch" && zip -q -X "$proj/function.zip" index.js)
cat >"$proj/.env" <<'EOF'
KITE_DOMAIN=k1te.chat
CLOUDFLARE_API_TOKEN=x
KITE_LAMBDA_ZIP=function.zip
EOF
out=${out:-$scratch/results}
mkdir -p "$out"
out=$(realpath "$out")

# The files the loops toggle, restored whatever happens (and dist/ rebuilt
# from the restored main.ts); the project directory is removed, the
# results kept.
toggled=()
restore() {
  local i rebuild=0
  # Every file first, then the slow part (tsc): a second signal during
  # tsc leaves nothing toggled.
  for i in "${!toggled[@]}"; do
    local file=${toggled[$i]}
    if ! cmp -s "$scratch/backup.$i" "$file"; then
      cp "$scratch/backup.$i" "$file"
      echo "restored $file" >&2
      [[ $file == "$here/main.ts" ]] && rebuild=1
    fi
  done
  if ((rebuild)); then
    (cd "$here" && npx tsc) || echo "npx tsc failed: rebuild dist/ by hand" >&2
  fi
  if [[ $out == "$scratch"/* ]]; then rm -rf "$proj"; else rm -rf "$scratch"; fi
}
trap restore EXIT
trap 'exit 130' INT TERM
# FILE PATTERN: keeps a copy of FILE to restore; PATTERN (grep -E) is the
# line the loop toggles, which must be there, or the loop would time
# rebuilds of an unchanged file.
remember() {
  grep -Eq "$2" "$1" || { echo "$1 has no line matching $2 to toggle" >&2; exit 2; }
  cp "$1" "$scratch/backup.${#toggled[@]}"
  toggled+=("$1")
}

# How many runs: exactly --runs, or at least MIN.
count() {
  if [[ -n $runs ]]; then echo "--runs $runs"; else echo "--min-runs $1"; fi
}

# One benchmark: NAME KITE_CMD CDKTF_CMD MIN_RUNS [hyperfine options...],
# run in $proj, BLOCKS times with alternating order.
bench() {
  local name=$1 kite_cmd=$2 cdktf_cmd=$3 n=$4
  shift 4
  local b
  for b in $(seq "$blocks"); do
    local first=(-n kite "$kite_cmd") second=(-n cdktf "$cdktf_cmd")
    if ((b % 2 == 0)); then
      first=(-n cdktf "$cdktf_cmd") second=(-n kite "$kite_cmd")
    fi
    # shellcheck disable=SC2046 # count prints two words
    (cd "$proj" && "$hyperfine" --warmup "$warmup" $(count "$n") --style basic \
      --export-json "$out/$name.$b.json" "$@" "${first[@]}" "${second[@]}")
  done
}

{
  echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), load $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "kite: $("$kite" --version 2>&1 | head -1) ($kite)"
  echo "scale: $scale"
  echo "node: $(node --version); cdktf $(node -p "require('$here/node_modules/cdktf/package.json').version"); typescript $(node -p "require('$here/node_modules/typescript/package.json').version")"
  echo "settings: warmup $warmup, blocks $blocks, runs ${runs:-default}, fresh $fresh"
} | tee "$out/environment.txt"

node="node --env-file=.env $here/dist/main.js cdktf-js.out"
prepare=()
if ((fresh)); then
  prepare=(--prepare "rm -rf $proj/cdktf.out $proj/cdktf-js.out")
fi
bench stacks "$kite synth kite local" "$node" 20 -N "${prepare[@]}"

for n in $sizes; do
  case $n in 1000) r=10 ;; *) r=5 ;; esac
  prepare=()
  if ((fresh)); then
    prepare=(--prepare "rm -rf $proj/scale-kite-$n $proj/scale-cdktf-$n")
  fi
  bench "scale-$n" "$scale $n scale-kite-$n" \
    "node $here/dist/scale.js $n scale-cdktf-$n" "$r" -N "${prepare[@]}"
done

# One edit→synth loop: TOOL DIR FILE PATTERN A B CMD. Before each run
# (hyperfine --prepare), the line of FILE that matches PATTERN with A is
# given B, or the other way round; CMD runs in DIR.
edit_loop() {
  local tool=$1 dir=$2 file=$3 pattern=$4 a=$5 b=$6 cmd=$7
  remember "$file" "$pattern"
  local toggle="sed -i -e 's/$a/@SWAP@/' -e 's/$b/$a/' -e 's/@SWAP@/$b/' '$file'"
  # shellcheck disable=SC2046
  (cd "$dir" && "$hyperfine" --warmup 1 $(count 8) --style basic \
    --export-json "$out/loop-$tool.1.json" --prepare "$toggle" -n "$tool" "$cmd")
}
if ((loop)); then
  edit_loop cdktf "$proj" "$here/main.ts" 'timeout: 1[56],' 'timeout: 15,' 'timeout: 16,' \
    "cd '$here' && $npx_tsc && cd '$proj' && node --env-file=.env '$here/dist/main.js' cdktf-js.out"
fi
if ((kite_loop)); then
  edit_loop kite "$repo" "$repo/stacks/kite.rs" '\.timeout\(1[56]\)' '\.timeout(15)' '\.timeout(16)' \
    "KITE_DOMAIN=k1te.chat CLOUDFLARE_API_TOKEN=x KITE_LAMBDA_ZIP='$proj/function.zip' cargo run --profile fast -q -- synth kite local --out '$proj/kite-loop.out'"
fi

TSC_CMD=$npx_tsc python3 - "$out" <<'EOF' | tee "$out/report.txt"
import glob, json, os, statistics, sys

out = sys.argv[1]
def load(name):
    """Per tool: all times (s) pooled over blocks, and each block's median."""
    times, blocks = {}, {}
    for path in sorted(glob.glob(os.path.join(out, f"{name}.*.json"))):
        for r in json.load(open(path))["results"]:
            times.setdefault(r["command"], []).extend(r["times"])
            blocks.setdefault(r["command"], []).append(r["median"])
    return times, blocks

def fmt(s):
    return f"{s * 1000:.1f} ms" if s < 1 else f"{s:.2f} s"

def cell(times, blocks):
    return f"{fmt(statistics.median(times))} (best block {fmt(min(blocks))}, min {fmt(min(times))})"

rows = [("stacks", "`kite synth kite local` / `node dist/main.js`")]
rows += [(os.path.basename(p)[:-7], f"scale, N = {int(os.path.basename(p)[6:-7]):,}")
         for p in sorted(glob.glob(os.path.join(out, "scale-*.1.json")),
                         key=lambda p: int(os.path.basename(p)[6:-7]))]
print()
print("| what | kite (median) | cdktf (median) | cdktf/kite |")
print("|---|---|---|---|")
for name, label in rows:
    times, blocks = load(name)
    if "kite" not in times or "cdktf" not in times:
        continue
    ratio = statistics.median(times["cdktf"]) / statistics.median(times["kite"])
    print(f"| {label} | {cell(times['kite'], blocks['kite'])} | "
          f"{cell(times['cdktf'], blocks['cdktf'])} | {ratio:.1f}× |")
loops = {}
for tool in ("kite", "cdktf"):
    times, blocks = load(f"loop-{tool}")
    if tool in times:
        loops[tool] = (times[tool], blocks[tool])
if loops:
    print()
    print("| edit one line, then synth | median | best |")
    print("|---|---|---|")
    tsc = os.environ.get("TSC_CMD", "npx tsc")
    labels = {"cdktf": f"cdktf: `{tsc} && node dist/main.js`",
              "kite": "kite: `cargo run --profile fast -q -- synth kite local`"}
    for tool, (times, _) in loops.items():
        print(f"| {labels[tool]} | {fmt(statistics.median(times))} | {fmt(min(times))} |")
    if len(loops) == 2:
        ratio = statistics.median(loops["cdktf"][0]) / statistics.median(loops["kite"][0])
        print(f"\ncdktf/kite, loop: {ratio:.2f}×")
EOF
echo
echo "results: $out"
