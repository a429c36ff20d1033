#!/usr/bin/env python3
"""Paired wall-time rounds on a noisy machine (doc/adr/0017).

    benches/paired_rounds.py ROUNDS RUNS LABEL=DIR:COMMAND ...

Each round runs every command once as a block of RUNS runs
(`hyperfine -N --warmup 2`), in a new random order, in its directory. The
first label is the reference: for every other one, the median and
quartiles of its per-round ratio to it are printed, then the ratios
between the others. Other tenants' load moves in minutes; a ratio taken
within one round sees the same load on both sides.

Example (each project directory with its own copy of the binary and a
settled record, see the README's Performance section):

    benches/paired_rounds.py 60 10 "version=/tmp/new:./kite --version" \
        "main=/tmp/main:./kite synth kite local" \
        "new=/tmp/new:./kite synth kite local"
"""

import json
import random
import statistics
import subprocess
import sys
import tempfile


def main() -> None:
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    rounds, runs = int(sys.argv[1]), int(sys.argv[2])
    specs = []
    for arg in sys.argv[3:]:
        label, _, rest = arg.partition("=")
        directory, _, command = rest.partition(":")
        if not (label and directory and command):
            sys.exit(f"{arg!r} is not LABEL=DIR:COMMAND")
        specs.append((label, directory, command))
    medians = {label: [] for label, _, _ in specs}
    with tempfile.NamedTemporaryFile(suffix=".json") as export:
        for _ in range(rounds):
            order = specs[:]
            random.shuffle(order)
            for label, directory, command in order:
                subprocess.run(
                    ["hyperfine", "-N", "--warmup", "2", "--runs", str(runs),
                     "--export-json", export.name, command],
                    cwd=directory, stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL, check=True)
                with open(export.name) as f:
                    result = json.load(f)["results"][0]
                medians[label].append(result["median"] * 1000)
    labels = [label for label, _, _ in specs]
    for label in labels:
        print(f"{label}: median of block medians {statistics.median(medians[label]):.3f} ms")
    pairs = [(labels[0], other) for other in labels[1:]]
    pairs += [(a, b) for i, a in enumerate(labels[1:], 1) for b in labels[i + 1:]]
    for base, other in pairs:
        ratios = sorted(o / b for b, o in zip(medians[base], medians[other]))
        q1, _, q3 = statistics.quantiles(ratios, n=4)
        print(f"{other} / {base}: median {statistics.median(ratios):.3f}, "
              f"quartiles {q1:.3f}-{q3:.3f}")


if __name__ == "__main__":
    main()
