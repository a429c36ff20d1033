#!/usr/bin/env bash
# A counterfactual for issue 10's build-time budget (doc/adr/0011): REV as
# it is, except that of the generated bindings only the types the kite
# binary uses are compiled. Commits that tree on top of REV as BRANCH (a
# new branch, or one this script wrote before), for
# benches/build_times_rotating.sh to build beside REV:
#
#   benches/bindings_used_only.sh REV BRANCH
#   benches/build_times_rotating.sh 6 a391358 REV BRANCH
#
# REV against BRANCH is what compiling whole services costs instead of only
# the types used: a lower bound of the bindings' cost, since both keep the
# rest of them (kite-schema, the validation's full schemas, the types the
# stacks use). The types below are those the Kite stacks and the
# constructs they use take beyond the overlays' always_compiled ones. Every
# check fails loudly: a type the stacks use and this list lacks breaks the
# build, one they no longer use stops the script, and so does a gate left
# on.
set -euo pipefail
usage="usage: benches/bindings_used_only.sh REV BRANCH"
rev=${1:?$usage}
branch=${2:?$usage}
message="Counterfactual for a build-time benchmark: only the generated types the kite binary uses"
repo=$(git rev-parse --show-toplevel)
if git -C "$repo" rev-parse --verify -q "refs/heads/$branch" >/dev/null; then
  [ "$(git -C "$repo" log -1 --format=%s "refs/heads/$branch")" = "$message" ] || {
    echo "branch $branch exists and is not a counterfactual of this script: choose another name" >&2
    exit 2
  }
fi
work=$(mktemp -d)
trap 'git -C "$repo" worktree remove --force "$work/tree" 2>/dev/null || true; rm -rf "$work"' EXIT
git -C "$repo" worktree add -q --detach "$work/tree" "$rev"
cd "$work/tree"

used=(aws_budgets_budget aws_dynamodb_table aws_iam_openid_connect_provider aws_kms_alias
  aws_s3_bucket aws_s3_bucket_cors_configuration aws_s3_bucket_lifecycle_configuration
  aws_s3_bucket_public_access_block aws_s3_bucket_versioning aws_ssm_parameter)
# Each must still be named outside comments and the generated code, by its
# type's name (aws_kms_alias: KmsAlias or DataAwsKmsAlias).
for t in "${used[@]}"; do
  name=$(echo "${t#aws_}" | perl -pe 's/(^|_)([a-z0-9])/\U$2/g')
  grep -rhwE --include='*.rs' --exclude-dir=generated "(DataAws)?$name" src stacks |
    grep -qvE '^\s*(//|\*)' || {
    echo "$t is no longer used by the framework or the stacks: remove it from this script" >&2
    exit 1
  }
done

list=$(printf '  "%s",\n' "${used[@]}")
LIST=$list perl -0pi -e '$n = s/always_compiled = \[\n/always_compiled = [\n$ENV{LIST}\n/; die "no multi-line always_compiled list in the aws overlay\n" unless $n == 1' \
  schemas/overlays/aws.toml
cargo run --release -q --locked --offline -p kite-bindgen -- all
git add -A

# Off: what a feature would add to the types kept, every module still
# behind a feature (the generator ungates those that hold a type kept), and
# the Docker modules but the provider, containers and images (Docker has no
# features).
perl -0pi -e '$n += s/#\[cfg\(feature = "[a-z0-9-]+"\)\]\n(pub use gated::\*;|mod gated \{|pub mod \w+;)/#[cfg(any())]\n$1/g;
  END { die "no feature gate found in the generated aws and cloudflare code\n" unless $n }' \
  src/aws/generated/*.rs src/cloudflare/generated/*.rs
if grep -rq 'cfg(feature' src/aws/generated src/cloudflare/generated; then
  echo "a generated module is still behind a feature: the gates' form changed, update this script" >&2
  exit 1
fi
perl -pi -e 'if (/^pub mod (\w+);$/ && $1 !~ /^(provider|container|image)$/) { $_ = "#[cfg(any())]\n$_"; $n++ }
  END { die "no Docker module turned off\n" unless $n }' src/docker/generated/mod.rs
if [ "$(grep -c '^pub mod' src/docker/generated/mod.rs)" -ne "$(($(grep -c 'cfg(any())' src/docker/generated/mod.rs) + 3))" ]; then
  echo "a Docker module other than the provider, containers and images is still compiled" >&2
  exit 1
fi
git diff --quiet -- src && { echo "nothing was turned off" >&2; exit 1; }

cargo check --release -q --locked --offline --bin kite
git add -A
git -c user.name=bench -c user.email=bench@localhost commit -q -m "$message"
git -C "$repo" branch -f "$branch" "$(git rev-parse HEAD)"
echo "$branch: $(git rev-parse --short HEAD) (tree $(git rev-parse 'HEAD^{tree}')), $rev with only the generated types the kite binary uses"
