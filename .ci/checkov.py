#!/usr/bin/env python3
"""Scans synthesized stacks with checkov (doc/adr/0012-checkov.md).

Usage: checkov.py CHECKOV ACCEPTED OUTPUT_DIR...

Every stack directory of every OUTPUT_DIR (OUTPUT_DIR/stacks/*) is scanned
by checkov's Terraform JSON framework, all in one run. Fails when a file
cannot be parsed, when a stack runs no check, when a check fails that
ACCEPTED does not list, and when an entry of ACCEPTED matches no failure
(the list must stay true).

ACCEPTED has one entry a line: a check id, a glob of block names (the
logical ids, such as prod_Channels_C3BF2098) and the reason. `#` starts a
comment.
"""

import fnmatch
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path


def read_accepted(path):
    entries = []
    for number, line in enumerate(Path(path).read_text().splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split(None, 2)
        if len(parts) < 3:
            sys.exit(f"{path}:{number}: an entry is a check id, a glob of block names and a reason")
        entries.append({"check": parts[0], "glob": parts[1], "reason": parts[2], "line": number, "used": False})
    return entries


def copy_stacks(outputs, root):
    """Copies the configuration files of each stack to ROOT/<output>/<stack>."""
    stacks = []
    for output in outputs:
        output = Path(output)
        for stack_dir in sorted((output / "stacks").iterdir()):
            target = root / output.name / stack_dir.name
            target.mkdir(parents=True)
            for f in stack_dir.iterdir():
                if f.is_file() and (f.name.endswith(".tf.json") or f.name.endswith(".tf")):
                    shutil.copy(f, target / f.name)
            stacks.append(target)
    return stacks


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    checkov, accepted_path, outputs = sys.argv[1], sys.argv[2], sys.argv[3:]
    accepted = read_accepted(accepted_path)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp).resolve()
        stacks = copy_stacks(outputs, root)
        run = subprocess.run(
            [checkov, "--skip-download", "--soft-fail", "--framework", "terraform_json",
             "-o", "json", "-d", str(root)],
            capture_output=True, text=True,
        )
        try:
            report = json.loads(run.stdout)
        except json.JSONDecodeError:
            sys.exit(f"checkov did not report (status {run.returncode}):\n{run.stdout}{run.stderr}")
        if isinstance(report, list):
            report = report[0]
        if report.get("check_type") != "terraform_json":
            sys.exit(f"checkov found no Terraform JSON to scan:\n{run.stdout}{run.stderr}")
        results = report["results"]
        problems = []
        for error in results.get("parsing_errors", []):
            problems.append(f"checkov cannot parse {Path(error).relative_to(root)}")

        def stack_of(record):
            return Path(record["file_abs_path"]).resolve().parent

        counts = {s: {"passed": 0, "failed": 0} for s in stacks}
        for record in results["passed_checks"]:
            counts[stack_of(record)]["passed"] += 1
        for record in results["failed_checks"]:
            stack = stack_of(record)
            counts[stack]["failed"] += 1
            name = record["resource"].rsplit(".", 1)[-1]
            matches = [e for e in accepted
                       if e["check"] == record["check_id"] and fnmatch.fnmatchcase(name, e["glob"])]
            for e in matches:
                e["used"] = True
            if not matches:
                problems.append(
                    f"{stack.relative_to(root)}: {record['check_id']} fails on {record['resource']}"
                    f" ({record['check_name']}): fix it, or accept it in {accepted_path}"
                    " and give the reason in doc/adr/0012-checkov.md")
        for stack, n in counts.items():
            if n["passed"] + n["failed"] == 0:
                problems.append(f"{stack.relative_to(root)}: checkov ran no check")
            print(f"checkov {stack.relative_to(root)}: {n['passed']} checks passed, "
                  f"{n['failed']} failed")
        for e in accepted:
            if not e["used"]:
                problems.append(
                    f"{accepted_path}:{e['line']}: {e['check']} {e['glob']} no longer fails anywhere:"
                    " remove it (and from doc/adr/0012-checkov.md)")
        if problems:
            print("\n".join(problems), file=sys.stderr)
            sys.exit(1)
        print(f"checkov: {len(stacks)} stack directories parsed, every failed check accepted")


if __name__ == "__main__":
    main()
