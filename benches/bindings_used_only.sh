#!/usr/bin/env bash
# The counterfactual of issue 10's build-time budget (doc/adr/0011): REV as
# it is, except that of the generated bindings only the types the kite
# binary uses are compiled. Commits that tree on top of REV as BRANCH (never
# main), for benches/build_times_rotating.sh to build beside REV:
#
#   benches/bindings_used_only.sh REV BRANCH
#   benches/build_times_rotating.sh 6 a391358 REV BRANCH
#
# REV against BRANCH is then what typing every resource and data source
# costs a clean build, all else (the framework, the command line, the
# validation's full schemas) equal. The types below are those the Kite
# stacks use beyond the overlays' always_compiled ones: when the stacks use
# another, the build below fails until it is added here.
set -euo pipefail
rev=${1:?usage: benches/bindings_used_only.sh REV BRANCH}
branch=${2:?usage: benches/bindings_used_only.sh REV BRANCH}
[ "$branch" != main ] || { echo "refusing to write the counterfactual to main" >&2; exit 2; }
repo=$(git rev-parse --show-toplevel)
work=$(mktemp -d)
trap 'git -C "$repo" worktree remove --force "$work/tree" 2>/dev/null || true; rm -rf "$work"' EXIT
git -C "$repo" worktree add --detach "$work/tree" "$rev" >/dev/null
cd "$work/tree"

used=(aws_budgets_budget aws_dynamodb_table aws_iam_openid_connect_provider aws_kms_alias
  aws_s3_bucket aws_s3_bucket_cors_configuration aws_s3_bucket_lifecycle_configuration
  aws_s3_bucket_public_access_block aws_s3_bucket_versioning aws_ssm_parameter)
list=$(printf '  "%s",\\n' "${used[@]}")
perl -0pi -e "s/always_compiled = \[\n/always_compiled = [\n$list/" schemas/overlays/aws.toml
cargo run --release -q --locked --offline -p kite-bindgen -- all

# What the features would add to those types is never compiled; nor are
# the SNS module (no type of it is used) and the Docker modules but the
# provider, containers and images (Docker has no features).
for f in src/aws/generated/*.rs src/cloudflare/generated/*.rs; do
  perl -0pi -e 's/#\[cfg\(feature = "[a-z0-9-]+"\)\]\n(pub use gated::\*;|mod gated \{)/#[cfg(any())]\n$1/g' "$f"
done
perl -0pi -e 's/#\[cfg\(feature = "aws-sns"\)\]\npub mod sns;/#[cfg(any())]\npub mod sns;/' src/aws/generated/mod.rs
for m in buildx config logs network plugin registry secret service tag volume; do
  perl -0pi -e "s/^pub mod $m;/#[cfg(any())]\npub mod $m;/m" src/docker/generated/mod.rs
done

cargo build --release -q --locked --offline --bin kite
git add -A
git -c user.name=bench -c user.email=bench@localhost commit -q \
  -m "Counterfactual for a build-time benchmark: only the generated types the kite binary uses"
git -C "$repo" branch -f "$branch" "$(git rev-parse HEAD)"
echo "$branch: $(git rev-parse --short HEAD), $rev with only the generated types the kite binary uses"
