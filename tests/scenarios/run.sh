#!/usr/bin/env bash
# A deployment's life, as scenarios: real Terraform with the stub scaleway
# provider, the generated scripts, and stand-in aws/docker/curl/scw/pnpm that
# record every call and the environment it ran with. Each scenario is a sequence
# of steps on one carried-over state. See tests/scenarios/README.md.
#
# usage: tests/scenarios/run.sh [--cellac PATH] [--provider PATH] [--keep] [SCENARIO...]
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
PROVIDER_VERSION="2.79.0"
ALL_SCENARIOS=(life health_rollback bucket_rename interleave preview rotation promote promote_args second_deployer implicit_deployer)

CELLAC=""
PROVIDER=""
KEEP=0
ONLY=()

usage() {
    sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'
    echo "scenarios: ${ALL_SCENARIOS[*]}"
}

while [ $# -gt 0 ]; do
    case "$1" in
        --cellac) CELLAC="${2:?--cellac needs a path}"; shift 2 ;;
        --provider) PROVIDER="${2:?--provider needs a path}"; shift 2 ;;
        --keep) KEEP=1; shift ;;
        -h | --help) usage; exit 0 ;;
        -*) echo "run.sh: unknown option: $1" >&2; usage >&2; exit 2 ;;
        *) ONLY+=("$1"); shift ;;
    esac
done
[ "${#ONLY[@]}" -gt 0 ] || ONLY=("${ALL_SCENARIOS[@]}")

for tool in terraform python3 git jq; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "scenarios: SKIPPED: $tool is not on PATH" >&2
        exit 0
    fi
done

cd "$ROOT"
if [ -z "$PROVIDER" ]; then
    cargo build -q -p stub-provider
    PROVIDER="$TARGET/debug/stub-provider"
fi
if [ -z "$CELLAC" ]; then
    cargo build -q --bin cellac -p cellac
    CELLAC="$TARGET/debug/cellac"
fi
PROVIDER="$(realpath "$PROVIDER")"
CELLAC="$(realpath "$CELLAC")"

TMP="$(mktemp -d "${TMPDIR:-/tmp}/cellac-scenarios.XXXXXX")"
cleanup() {
    if [ "$KEEP" -eq 1 ]; then
        echo "(kept $TMP)"
    else
        rm -rf "$TMP"
    fi
}
trap cleanup EXIT

# Terraform installs the stub from a filesystem mirror, offline.
# shellcheck source=tests/terraform/offline.sh
source "$HERE/../terraform/offline.sh"
offline_terraform "$TMP" "$PROVIDER" "$PROVIDER_VERSION"
unset TF_CLI_ARGS TF_DATA_DIR TF_WORKSPACE TF_LOG
# Nothing of the caller's AWS or Scaleway configuration reaches the scripts.
while IFS= read -r var; do unset "$var"; done < <(compgen -e | grep -E '^AWS_' || true)
while IFS= read -r var; do unset "$var"; done < <(compgen -e | grep -E '^(TF_VAR_|SCW_)' || true)

# The stand-in tools, first on PATH.
mkdir -p "$TMP/bin"
for tool in aws docker curl scw pnpm npm; do
    ln -s "$HERE/tools.py" "$TMP/bin/$tool"
done
export PATH="$TMP/bin:$PATH"

# Identities: the state bucket lives in the deploy key's preferred project.
PREFERRED_PROJECT="0c0c0c0c-0000-4000-8000-00000000c0de"
ZONE_PROJECT="0d0e0f10-dead-4bee-8f00-20202020dada"
USER_KEY="SCWUSER0000000000001"
APP_KEY="SCWAPP00000000000002"
export SC_PREFERRED_PROJECT="$PREFERRED_PROJECT" STUB_DNS_ZONE_PROJECT="$ZONE_PROJECT"
export SCW_DEFAULT_PROJECT_ID="$PREFERRED_PROJECT"
export SCW_DEFAULT_ORGANIZATION_ID="0a0a0a0a-0000-4000-8000-0000000000a0"
export CI=true HEALTH_INTERVAL=0 HEALTH_TIMEOUT=5

# use_key USER|APP: the deploy key the next steps run with.
use_key() {
    case "$1" in
        user) export SCW_ACCESS_KEY="$USER_KEY" SCW_SECRET_KEY="11111111-5ec7-4e7a-8000-00000000user" ;;
        app) export SCW_ACCESS_KEY="$APP_KEY" SCW_SECRET_KEY="22222222-5ec7-4e7a-8000-000000000app" ;;
    esac
    export SC_DEPLOYER_SECRET="$SCW_SECRET_KEY"
}

# Secrets as CI passes them: TF_VAR_NAME (never on a command line).
export TF_VAR_database_url="postgresql://app:pw@ep-x-pooler.eu-central-1.aws.neon.tech/db?sslmode=require"
export TF_VAR_database_admin_url="postgresql://admin:pw@ep-x.eu-central-1.aws.neon.tech/db?sslmode=require"
export TF_VAR_database_cdc_url="postgresql://cdc:pw@ep-x.eu-central-1.aws.neon.tech/db?sslmode=require"
export TF_VAR_argon_secret="argon-0123456789abcdef0123456789abcdef"
export TF_VAR_cookie_secret="cookie-0123456789abcdef0123456789abcdef"
export TF_VAR_unsubscribe_secret="unsubscribe-0123456789"
export TF_VAR_cdc_internal_secret="cdc-0123456789abcdef"
export TF_VAR_django_secret_key="django-0123456789abcdef0123456789abcdef0123456789abcdef"
export TF_VAR_session_secret="session-0123456789abcdef0123456789abcdef"
export TF_VAR_sentry_dsn="https://public@sentry.example.com/1"

# ------------------------------------------------------------ scenario plumbing

SC=""        # the running scenario
SC_DIR=""    # its folder
REPO=""      # its throwaway repository
INFRA=""     # REPO/infra
STEP_N=0
SC_FAILS=0
LAST_OUT=""

# new_repo [EXAMPLE]: a throwaway git repository with the example's generated
# infra/, every environment's S3 backend swapped for a local state file (one
# per environment, kept in the scenario's folder), committed.
new_repo() {
    local example="${1:-cella}" env
    REPO="$SC_DIR/repo"
    INFRA="$REPO/infra"
    export SC_WORLD="$SC_DIR/world" SC_LOG="$SC_DIR/calls.jsonl"
    export STUB_CLOUD_DIR="$SC_WORLD/cloud" STUB_S3_DIR="$SC_WORLD/s3"
    mkdir -p "$REPO" "$SC_WORLD/s3owners" "$SC_WORLD/control" "$SC_DIR/state" "$SC_DIR/steps"
    : >"$SC_LOG"
    git -C "$REPO" init -q -b main
    git -C "$REPO" config user.email scenarios@example.com
    git -C "$REPO" config user.name scenarios
    cp "$ROOT/examples/$example/stack.kdl" "$REPO/stack.kdl"
    # The application: every Dockerfile the stack names (site builds are the
    # stand-in pnpm/npm's business).
    local dockerfile
    while IFS= read -r dockerfile; do
        mkdir -p "$REPO/$(dirname "$dockerfile")"
        echo 'FROM scratch' >"$REPO/$dockerfile"
    done < <(grep -o 'dockerfile="[^"]*"' "$REPO/stack.kdl" | sed 's/^dockerfile="//; s/"$//' | sort -u)
    printf 'node_modules/\n*/dist/\n' >"$REPO/.gitignore"
    rebuild
    # The state bucket (its releases record) is in the key's preferred project.
    local state_bucket
    state_bucket="$(sed -n "s/^STATE_BUCKET='\(.*\)'$/\1/p" "$INFRA/scripts/stack.sh")"
    [ -z "$state_bucket" ] || printf '%s' "$PREFERRED_PROJECT" >"$SC_WORLD/s3owners/$state_bucket"
    # The provider lock file, as scripts/init.sh would write it, but for the
    # stub (the mirror has linux_amd64 only) and committed.
    rm -f "$INFRA/.terraform.lock.hcl"
    (cd "$INFRA" && TF_DATA_DIR="$SC_DIR/tfdata/lock" terraform init -backend=false -input=false >"$SC_DIR/lock.out" 2>&1) ||
        { sed 's/^/      | /' "$SC_DIR/lock.out"; return 1; }
    git -C "$REPO" add -A
    git -C "$REPO" commit -q -m "app at v1"
}

# rebuild: cellac build of the repository's stack into infra/, then every
# environment's S3 backend swapped for a local state file (one per environment,
# in the scenario's folder). Not committed.
rebuild() {
    local env
    (cd "$REPO" && "$CELLAC" build stack.kdl -o infra --force >"$SC_DIR/build.out" 2>&1) ||
        { sed 's/^/      | /' "$SC_DIR/build.out"; return 1; }
    echo '{"terraform": {"backend": {"local": {}}}}' >"$INFRA/stub_backend_override.tf.json"
    for env in "$INFRA"/environments/*.s3.tfbackend; do
        env="$(basename "$env" .s3.tfbackend)"
        if grep -q '{id}' "$INFRA/environments/$env.s3.tfbackend"; then
            # A preview template: one state per preview id.
            printf 'path = "%s"\n' "$SC_DIR/state/$env-{id}.tfstate" >"$INFRA/environments/$env.s3.tfbackend"
        else
            printf 'path = "%s"\n' "$SC_DIR/state/$env.tfstate" >"$INFRA/environments/$env.s3.tfbackend"
        fi
    done
}

# commit_change MESSAGE: a new commit (a new image tag).
commit_change() {
    echo "$1" >>"$REPO/backend/CHANGES"
    git -C "$REPO" add -A
    git -C "$REPO" commit -q -m "$1"
}

# step NAME CMD...: runs CMD in the repository, output in steps/NN-NAME.out;
# sets LAST_OUT and returns CMD's status.
step() {
    local name="$1" status=0
    shift
    STEP_N=$((STEP_N + 1))
    LAST_OUT="$SC_DIR/steps/$(printf '%02d' "$STEP_N")-$name.out"
    export SC_STEP="$STEP_N-$name"
    printf '+ %s\n' "$*" >"$LAST_OUT"
    (cd "$REPO" && "$@") >>"$LAST_OUT" 2>&1 || status=$?
    echo "    step $STEP_N $name: exit $status"
    return "$status"
}

# must_step NAME CMD...: a step that must succeed.
must_step() {
    if ! step "$@"; then
        bad "step $1 failed"
        sed 's/^/      | /' "$LAST_OUT" | tail -25
        return 1
    fi
}

ok() { echo "    ok   $*"; }
bad() {
    echo "    FAIL $*"
    SC_FAILS=$((SC_FAILS + 1))
}
# expect DESCRIPTION CMD...: one assertion.
expect() {
    local what="$1"
    shift
    if "$@"; then ok "$what"; else bad "$what"; fi
}

tf_in() { # tf_in ENV ARGS...: terraform in INFRA on ENV's state
    local env="$1"
    shift
    (cd "$INFRA" && TF_DATA_DIR="$SC_DIR/tfdata/$env" terraform "$@")
}
tf_init_env() {
    mkdir -p "$SC_DIR/tfdata"
    tf_in "$1" init -input=false -reconfigure "-backend-config=environments/$1.s3.tfbackend" >/dev/null
}
# state_json ENV: the state file, as JSON.
state_json() { cat "$SC_DIR/state/$1.tfstate"; }
# output_of ENV NAME: a root output from ENV's state file.
output_of() { jq -r --arg n "$2" '.outputs[$n].value // empty' "$SC_DIR/state/$1.tfstate"; }

# calls [JQ-FILTER]: the recorded tool calls, filtered.
calls() { jq -c "${1:-.}" "$SC_LOG"; }

# plan_json ENV [ARGS...]: a plan with ENV's variables as the scripts give them,
# as `terraform show -json`; written to SC_DIR/plan-ENV.json.
plan_json() {
    local env="$1" tag
    shift
    tag="$(git -C "$REPO" rev-parse --short=12 HEAD)"
    local -a extra=()
    # The digests the scripts pass with this tag (images.sh leaves them in the
    # environment's data directory), when the configuration takes them.
    if [ -f "$INFRA/.terraform/$env/cellac-digests-$tag.json" ] && grep -q '"image_digests"' "$INFRA/variables.tf.json"; then
        extra+=(-var "image_digests=$(jq -c . "$INFRA/.terraform/$env/cellac-digests-$tag.json")")
    fi
    tf_init_env "$env"
    tf_in "$env" plan -input=false -lock=false -out="$SC_DIR/plan-$env.bin" \
        "-var-file=environments/$env.tfvars.json" -var "image_tag=$tag" ${extra[@]+"${extra[@]}"} "$@" >"$SC_DIR/plan-$env.out" 2>&1 ||
        { sed 's/^/      | /' "$SC_DIR/plan-$env.out" | tail -20; return 1; }
    tf_in "$env" show -json "$SC_DIR/plan-$env.bin" >"$SC_DIR/plan-$env.json"
}
# changes FILE: "ACTIONS ADDRESS" of every resource change that is not a no-op.
changes() {
    jq -r '.resource_changes[]? | select(.change.actions != ["no-op"] and .change.actions != ["read"]) | "\(.change.actions | join(",")) \(.address)"' "$1"
}

# ------------------------------------------------------------------ scenarios

# First deploy of dev, then prod; then prod again with nothing changed: the plan
# is empty (no DNS record replaced: the provider rewrites a record's project to its
# zone's, review 3). Every aws call on an environment bucket uses ACCESS@PROJECT
# (review 2); the site build sees no SCW_/AWS_/TF_VAR_ (issue 20.3).
scenario_life() {
    new_repo cella
    use_key user
    must_step deploy-dev "$INFRA/scripts/deploy.sh" dev || return 0
    must_step deploy-prod "$INFRA/scripts/deploy.sh" prod --yes || return 0
    expect "prod's DNS records carry the zone's project after apply (the stub rewrites on read)" \
        test "$(jq -r '[.resources[] | select(.type == "scaleway_domain_record") | .instances[].attributes.project_id] | unique | join(",")' "$SC_DIR/state/prod.tfstate")" = "$ZONE_PROJECT"
    step redeploy-prod "$INFRA/scripts/deploy.sh" prod --yes || true
    # Negative control: the same plan against the state must be empty; a
    # `project_id` on the record (main's output) plans a replacement here.
    if plan_json prod; then
        local c
        c="$(changes "$SC_DIR/plan-prod.json")"
        expect "a second plan of prod with nothing changed is empty${c:+ (got: $(tr '\n' ';' <<<"$c"))}" test -z "$c"
        expect "no DNS record is replaced" bash -c "! grep -q 'scaleway_domain_record' <<<'$c'"
    else
        bad "planning prod again failed"
    fi
    # Negative control of the check above: with the record's project_id set to
    # prod's project, as main's output did (review 3), the same plan replaces
    # the records.
    local dns="$INFRA/modules/dns/main.tf.json" project
    project="$(output_of prod project_id)"
    if [ -f "$dns" ] && [ -n "$project" ]; then
        jq --arg p "$project" '.resource.scaleway_domain_record[] |= ((. + {project_id: $p}) | del(.lifecycle))' "$dns" >"$dns.new" && mv "$dns.new" "$dns"
        if plan_json prod; then
            expect "negative control: a record with project_id = prod's project is planned for replacement" \
                grep -Eq '^(delete,create|create,delete) module[.]dns.*scaleway_domain_record' <(changes "$SC_DIR/plan-prod.json")
        else
            bad "negative control: planning prod with the mutated record failed"
        fi
        git -C "$REPO" checkout -q -- infra/modules/dns/main.tf.json
    fi
    check_bucket_keys
    check_site_build_env
    check_no_deploy_secret_to_services
}

# Every aws call on an environment bucket sees AWS_ACCESS_KEY_ID ending in
# @<the project that owns it>; the state bucket keeps the plain key.
check_bucket_keys() {
    local wrong n
    n="$(calls 'select(.tool == "aws")' | wc -l)"
    wrong="$(jq -r --slurpfile x <(find "$SC_WORLD/cloud/buckets" -type f -printf '%f\n' 2>/dev/null | jq -R . | jq -s .) '
        select(.tool == "aws") | . as $c | .buckets[] | select(. as $b | $x[0] | index($b))
        | select(($c.env.AWS_ACCESS_KEY_ID // "") | test("@[0-9a-f-]{36}$") | not)
        | "\($c.step): aws \($c.argv | join(" ")) with AWS_ACCESS_KEY_ID=\($c.env.AWS_ACCESS_KEY_ID // "unset")"' "$SC_LOG" | head -5)"
    expect "every aws call on an environment bucket uses ACCESS_KEY@PROJECT_ID ($n aws calls)${wrong:+: $wrong}" test -z "$wrong"
    # The state bucket (releases record) is in the key's own project: plain key.
    wrong="$(jq -r --slurpfile x <(find "$SC_WORLD/s3owners" -type f -printf '%f\n' 2>/dev/null | jq -R . | jq -s .) '
        select(.tool == "aws") | . as $c | .buckets[] | select(. as $b | $x[0] | index($b))
        | select(($c.env.AWS_ACCESS_KEY_ID // "") | contains("@"))
        | "\($c.step): aws \($c.argv | join(" "))"' "$SC_LOG" | head -3)"
    expect "the state bucket is reached with the plain access key${wrong:+: $wrong}" test -z "$wrong"
}

# No service (health probe, status) is sent the deploy key's secret, nor is a
# token ever on a command line.
check_no_deploy_secret_to_services() {
    local leaked
    leaked="$(calls 'select(.tool == "curl" and ((.url // "") | startswith("https://api.scaleway.com/") | not) and (.auth == "deployer-secret" or .token_in_argv)) | "\(.step): \(.url)"' | head -3)"
    expect "no service is sent the deploy key's secret (X-Auth-Token)${leaked:+: $leaked}" test -z "$leaked"
    leaked="$(calls 'select(.tool == "curl" and .token_in_argv) | "\(.step): \(.url)"' | head -3)"
    expect "no token on a curl command line${leaked:+: $leaked}" test -z "$leaked"
}

# A site build sees no SCW_, AWS_ or TF_VAR_ variable.
check_site_build_env() {
    local seen
    seen="$(calls 'select(.tool == "pnpm" or .tool == "npm") | .env | keys[] | select(test("^(SCW_|AWS_|TF_VAR_)"))' | sort -u | tr '\n' ' ')"
    expect "a site build sees no SCW_/AWS_/TF_VAR_ variable${seen:+ (saw: $seen)}" test -z "$seen"
}

# A deploy whose health check fails, then rollback.sh: back to the last release
# that succeeded (review 6).
scenario_health_rollback() {
    new_repo cella
    use_key user
    local good bad_tag
    must_step deploy-v1 "$INFRA/scripts/deploy.sh" staging || return 0
    commit_change v2
    must_step deploy-v2 "$INFRA/scripts/deploy.sh" staging || return 0
    good="$(git -C "$REPO" rev-parse --short=12 HEAD)"
    commit_change v3
    bad_tag="$(git -C "$REPO" rev-parse --short=12 HEAD)"
    touch "$SC_WORLD/control/unhealthy"
    if HEALTH_TIMEOUT=1 step deploy-v3-unhealthy "$INFRA/scripts/deploy.sh" staging; then
        bad "a deploy whose health check fails exits 0"
    else
        ok "a deploy whose health check fails exits non-zero"
    fi
    rm -f "$SC_WORLD/control/unhealthy"
    expect "v3 ($bad_tag) runs after the failed deploy (its image was rolled out)" \
        grep -q ":$bad_tag\"" <(cat "$SC_WORLD"/cloud/containers/*.json)
    must_step rollback "$INFRA/scripts/rollback.sh" staging || return 0
    # Negative control: main's rollback takes the newest *recorded* release (v2)
    # as the current one and goes back to v1.
    expect "rollback goes back to v2 ($good), the last release that succeeded" \
        bash -c "grep -q ':$good\"' <(cat '$SC_WORLD'/cloud/containers/*.json) && ! grep -q ':$bad_tag\"' <(cat '$SC_WORLD'/cloud/containers/*.json)"
}

# A bucket rename: apply refuses; with --allow-destroy ADDRESS it proceeds (review 12).
scenario_bucket_rename() {
    new_repo cella
    use_key user
    must_step deploy-dev "$INFRA/scripts/deploy.sh" dev || return 0
    local before after addr
    before="$(jq -r '.buckets["private-uploads"].name' "$INFRA/environments/dev.tfvars.json")"
    sed -i 's/^bucket private-uploads {/bucket private-files {/; s/bucket private-uploads access=write/bucket private-files access=write/' "$REPO/stack.kdl"
    rebuild || { bad "cellac build after the rename failed"; return 0; }
    git -C "$REPO" add -A && git -C "$REPO" commit -q -m "rename bucket"
    after="$(jq -r '.buckets["private-files"].name // empty' "$INFRA/environments/dev.tfvars.json")"
    [ -n "$after" ] || { bad "the renamed bucket is not in dev's tfvars"; return 0; }
    # Negative control: main's apply.sh destroys the bucket without a word.
    if step apply-refused "$INFRA/scripts/apply.sh" dev; then
        bad "apply.sh applied a plan that destroys bucket $before"
    else
        expect "apply.sh refuses the destroy of bucket $before, naming it" grep -q 'scaleway_object_bucket' "$LAST_OUT"
    fi
    expect "bucket $before still exists after the refusal" test -f "$SC_WORLD/cloud/buckets/$before"
    addr="$(jq -r '.resources[] | select(.type == "scaleway_object_bucket") | . as $r | .instances[] | select(.attributes.name == "'"$before"'") | "\($r.module + "." // "")\($r.type).\($r.name)\(if .index_key then "[\(.index_key | tojson)]" else "" end)"' "$SC_DIR/state/dev.tfstate")"
    if must_step apply-allowed "$INFRA/scripts/apply.sh" dev --allow-destroy "$addr"; then
        expect "with --allow-destroy $addr the rename proceeds" test -f "$SC_WORLD/cloud/buckets/$after"
    fi
}

# status.sh staging during deploy.sh prod changes nothing of prod's run (review 4).
scenario_interleave() {
    new_repo cella
    use_key user
    must_step deploy-staging "$INFRA/scripts/deploy.sh" staging || return 0
    commit_change v2
    # status.sh staging runs while prod's deploy builds its images (docker build
    # runs it, through a hook of the stand-in).
    printf '%s\n' "$INFRA/scripts/status.sh staging" >"$SC_WORLD/control/during-docker-build"
    must_step deploy-prod "$INFRA/scripts/deploy.sh" prod --yes || true
    rm -f "$SC_WORLD/control/during-docker-build"
    expect "status.sh staging ran during prod's image build (exit $(cat "$SC_WORLD/control/during-docker-build.status" 2>/dev/null || echo none))" \
        test -f "$SC_WORLD/control/during-docker-build.status"
    local staging_env prod_env
    staging_env="$(jq -r '.outputs.environment.value // empty' "$SC_DIR/state/staging.tfstate")"
    prod_env="$(jq -r '.outputs.environment.value // empty' "$SC_DIR/state/prod.tfstate" 2>/dev/null || true)"
    expect "staging's state still holds staging (got '$staging_env')" test "$staging_env" = staging
    expect "prod's state holds prod (got '${prod_env:-nothing}')" test "$prod_env" = prod
}

# preview.sh up 42, then down 42, on a clean checkout (review 11).
scenario_preview() {
    new_repo release
    use_key user
    if [ ! -x "$INFRA/scripts/preview.sh" ]; then
        bad "no scripts/preview.sh in the generated infra/"
        return 0
    fi
    # Negative control: main's preview.sh writes environments/p42.* into the
    # tree, then deploy.sh refuses the dirty tree.
    must_step preview-up "$INFRA/scripts/preview.sh" up 42 --yes || return 0
    expect "preview up leaves the checkout clean" test -z "$(git -C "$REPO" status --porcelain)"
    local state buckets ns
    state="$(find "$SC_DIR/state" -name '*42*.tfstate' | head -1)"
    buckets="$(jq -r '.resources[] | select(.type == "scaleway_object_bucket") | .instances[].attributes.name' "$state" 2>/dev/null | tr '\n' ' ')"
    ns="$(jq -r '.resources[] | select(.type == "scaleway_registry_namespace") | .instances[].attributes.name' "$state" 2>/dev/null)"
    expect "the preview has its buckets ($buckets) and images in namespace ${ns:-?}" \
        test -n "$buckets" -a -n "$ns" -a -n "$(find "$SC_WORLD/registry" -maxdepth 1 -name "*__${ns}__*")"
    # Negative control: main's down refuses (the site bucket is not empty, no
    # force_destroy).
    must_step preview-down "$INFRA/scripts/preview.sh" down 42 --yes || return 0
    local b left=""
    for b in $buckets; do
        [ ! -e "$SC_WORLD/cloud/buckets/$b" ] || left+="$b "
    done
    expect "preview down deletes its buckets${left:+ (left: $left)}" test -z "$left"
    expect "preview down deletes its images" test -z "$(find "$SC_WORLD/registry" -maxdepth 1 -name "*__${ns}__*")"
    expect "preview down leaves no resource in its state (its project included)" \
        test "$(jq '[.resources[]? | select(.mode == "managed")] | length' "$state")" = 0
    expect "preview down leaves the checkout clean" test -z "$(git -C "$REPO" status --porcelain)"
}

# A secret rotation: the plan creates a new Secret Manager version that a job
# then reads (review 7).
scenario_rotation() {
    new_repo django
    use_key user
    must_step deploy-dev "$INFRA/scripts/deploy.sh" dev || return 0
    if ! jq -e '.resources[] | select(.type == "scaleway_secret_version")' "$SC_DIR/state/dev.tfstate" >/dev/null; then
        bad "dev's state has no scaleway_secret_version: secrets do not go through Secret Manager"
        return 0
    fi
    local before
    before="$(find "$SC_WORLD/cloud/secrets" -type f | wc -l)"
    export TF_VAR_django_secret_key="rotated-$TF_VAR_django_secret_key"
    if ! step deploy-rotated "$INFRA/scripts/deploy.sh" dev; then
        bad "deploy.sh dev with a rotated secret failed"
        sed 's/^/      | /' "$LAST_OUT" | tail -6
        local addr
        addr="$(sed -n 's/^  \([^ ]*scaleway_secret_version[^ ]*\) (replaced)$/\1/p' "$LAST_OUT" | head -1)"
        # To check the rest: apply the rotation by hand, allowing the version's replacement.
        [ -n "$addr" ] && step apply-rotation-allowed "$INFRA/scripts/apply.sh" dev --allow-destroy "$addr" || return 0
    fi
    expect "the rotation created a new secret version" test "$(find "$SC_WORLD/cloud/secrets" -type f | wc -l)" -gt "$before"
    expect "the newest version holds the rotated value" grep -rlq rotated "$SC_WORLD/cloud/secrets"
    # The cron job runs (through the stand-in Serverless Jobs API, which
    # resolves its secret references as Scaleway does: a version, or the latest):
    # it reads the rotated value.
    local job run want got
    job="$(jq -r '[.resources[] | select(.type == "scaleway_job_definition") | .instances[].attributes.id][0] // empty' "$SC_DIR/state/dev.tfstate")"
    if [ -z "$job" ]; then
        bad "dev has no job definition"
    else
        run="$(printf 'header = "X-Auth-Token: %s"\n' "$SCW_SECRET_KEY" |
            curl --config - -fsS -X POST -d '{}' "https://api.scaleway.com/serverless-jobs/v1alpha1/regions/fr-par/job-definitions/${job##*/}/start" |
            jq -r '.job_runs[0].id')"
        want="$(printf '%s' "$TF_VAR_django_secret_key" | sha256sum | cut -d' ' -f1)"
        got="$(jq -r '.secrets_read_sha256.DJANGO_SECRET_KEY // empty' "$SC_WORLD/job-runs/$run.json" 2>/dev/null)"
        expect "the job's next run reads the rotated DJANGO_SECRET_KEY" test -n "$got" -a "$got" = "$want"
    fi
    # Negative control: a data_wo_version that does not follow the value (a
    # constant, as before the fix) plans no new version for a second rotation.
    local f files
    # Every module that writes secret versions (modules/secrets, and modules/jobs' derived ones).
    files="$(grep -l '"scaleway_secret_version"' "$INFRA"/modules/*/main.tf.json "$INFRA"/main.tf.json 2>/dev/null || true)"
    if [ -n "$files" ]; then
        for f in $files; do
            jq '.resource.scaleway_secret_version[] |= (if has("data_wo_version") then .data_wo_version = 1 else . end)' "$f" >"$f.new" && mv "$f.new" "$f"
        done
        tf_init_env dev
        # The constant differs from the state's once: apply it, then rotate.
        tf_in dev apply -input=false -auto-approve -var-file=environments/dev.tfvars.json \
            -var "image_tag=$(git -C "$REPO" rev-parse --short=12 HEAD)" >"$SC_DIR/mutated-apply.out" 2>&1 || true
        if TF_VAR_django_secret_key="again-$TF_VAR_django_secret_key" plan_json dev; then
            expect "negative control: with a constant data_wo_version, a rotation plans no new secret version" \
                bash -c "! grep -q scaleway_secret_version <(jq -r '.resource_changes[] | select(.change.actions != [\"no-op\"]) | .type' '$SC_DIR/plan-dev.json')"
        else
            bad "negative control: planning the mutated rotation failed"
        fi
        git -C "$REPO" checkout -q -- infra
    fi
}

# promote.sh staging prod deploys staging's digest.
scenario_promote() {
    new_repo cella
    use_key user
    if [ ! -x "$INFRA/scripts/promote.sh" ]; then
        bad "no scripts/promote.sh in the generated infra/"
        return 0
    fi
    must_step deploy-staging "$INFRA/scripts/deploy.sh" staging || return 0
    local v1
    v1="$(git -C "$REPO" rev-parse --short=12 HEAD)"
    # Work goes on; promotion takes what staging runs, from its commit.
    commit_change "v2 not promoted"
    git -C "$REPO" checkout -q "$v1"
    must_step promote "$INFRA/scripts/promote.sh" staging prod --yes || return 0
    expect "promote builds nothing" test -z "$(calls "select(.tool == \"docker\" and .argv[0] == \"build\" and (.step | startswith(\"$STEP_N-\")))")"
    local s p
    s="$(jq -r '[.resources[] | select(.type == "scaleway_container") | .instances[].attributes.registry_sha256] | sort | join(",")' "$SC_DIR/state/staging.tfstate")"
    p="$(jq -r '[.resources[] | select(.type == "scaleway_container") | .instances[].attributes.registry_sha256] | sort | join(",")' "$SC_DIR/state/prod.tfstate")"
    expect "prod runs staging's digests ($s)" test -n "$s" -a "$s" = "$p"
}

# Issue 23: an image whose build arguments differ between environments is built
# per environment: promote.sh rebuilds it for prod with prod's arguments, and copies
# the others by digest. Negative control: promote (above) builds nothing.
scenario_promote_args() {
    new_repo cella
    use_key user
    python3 - "$REPO/stack.kdl" <<'PY' || { bad "cannot add build arguments to the stack"; return 0; }
import sys
p = sys.argv[1]
s = open(p).read()
s = s.replace('image dockerfile="backend/Dockerfile"', 'image dockerfile="backend/Dockerfile" {\n        arg RELEASE_CHANNEL=beta BUILD_NOTE="same everywhere"\n    }', 1)
head, sep, prod = s.partition('environment prod {')
# `service backend { scale ...; }` in prod: the image goes into that block.
prod = prod.replace('service backend {', 'service backend {\n        image {\n            arg RELEASE_CHANNEL=stable\n        }\n       ', 1)
s = head + sep + prod
open(p, "w").write(s)
PY
    rebuild || { bad "cellac build with build arguments failed"; return 0; }
    expect "build says backend is built per environment" grep -q "note: image \`backend\` is built per environment" "$SC_DIR/build.out"
    git -C "$REPO" add -A
    git -C "$REPO" commit -q -m "build arguments"
    must_step deploy-staging "$INFRA/scripts/deploy.sh" staging || return 0
    expect "staging's backend is built with RELEASE_CHANNEL=beta" test -n "$(calls 'select(.tool == "docker" and .argv[0] == "build" and any(.argv[]; . == "RELEASE_CHANNEL=beta"))')"
    local v1
    v1="$(git -C "$REPO" rev-parse --short=12 HEAD)"
    commit_change "v2 not promoted"
    git -C "$REPO" checkout -q "$v1"
    must_step promote "$INFRA/scripts/promote.sh" staging prod --yes || return 0
    local built
    built="$(calls "select(.tool == \"docker\" and .argv[0] == \"build\" and (.step | startswith(\"$STEP_N-\")))")"
    expect "promote rebuilds backend, with prod's RELEASE_CHANNEL=stable" test -n "$(jq -c 'select(any(.argv[]; . == "RELEASE_CHANNEL=stable") and any(.argv[]; . == "BUILD_NOTE=same everywhere"))' <<<"$built")"
    expect "promote builds only backend (cdc is copied by digest)" test "$(jq -s 'length' <<<"$built")" = 1
    expect "promote says why" grep -q "images: backend is built per environment" "$LAST_OUT"
}

# Issue 20.5: a user key applies, then an application key plans and applies;
# both see the same bucket policies.
scenario_second_deployer() {
    new_repo cella
    use_key user
    must_step deploy-user "$INFRA/scripts/deploy.sh" dev || return 0
    local user_policies app_policies
    user_policies="$(jq -S '[.resources[] | select(.type == "scaleway_object_bucket_policy") | .instances[].attributes.policy | fromjson]' "$SC_DIR/state/dev.tfstate")"
    use_key app
    # Negative control: with policies derived from the running key (main's
    # `owner` local), this plan fails (coalesce) or changes every policy.
    if plan_json dev; then
        local c
        c="$(changes "$SC_DIR/plan-dev.json" | grep bucket_policy || true)"
        expect "an application key's plan changes no bucket policy${c:+ (got: $(tr '\n' ';' <<<"$c"))}" test -z "$c"
    else
        bad "an application key cannot plan dev"
    fi
    commit_change v2
    must_step deploy-app "$INFRA/scripts/deploy.sh" dev || return 0
    app_policies="$(jq -S '[.resources[] | select(.type == "scaleway_object_bucket_policy") | .instances[].attributes.policy | fromjson]' "$SC_DIR/state/dev.tfstate")"
    expect "the user's and the application's applies leave the same bucket policies" test "$user_policies" = "$app_policies"
}

# Negative control of second_deployer: a stack that declares no deployer gets
# policies from the key that runs (the implicit case). A user key applies, an
# application key plans: the policies change, which second_deployer's check
# would report. Terraform is run directly (no images, no site).
scenario_implicit_deployer() {
    new_repo cella
    sed -i '/^deployer /d' "$REPO/stack.kdl"
    rebuild || { bad "cellac build without a deployer failed"; return 0; }
    git -C "$REPO" add -A && git -C "$REPO" commit -q -m "no deployer"
    if ! grep -q '"deployer_access_key"' "$INFRA/variables.tf.json"; then
        bad "without a deployer, the configuration does not look the running key up"
        return 0
    fi
    use_key user
    tf_init_env dev
    if ! TF_VAR_deployer_access_key="$USER_KEY" tf_in dev apply -input=false -auto-approve \
        -var-file=environments/dev.tfvars.json -var image_tag=v1 >"$SC_DIR/apply-user.out" 2>&1; then
        bad "a user key cannot apply dev"
        sed 's/^/      | /' "$SC_DIR/apply-user.out" | tail -8
        return 0
    fi
    use_key app
    if TF_VAR_deployer_access_key="$APP_KEY" plan_json dev; then
        local c
        c="$(changes "$SC_DIR/plan-dev.json" | grep bucket_policy || true)"
        expect "with policies from the running key, an application key's plan changes them (second_deployer's check would fail)" test -n "$c"
    else
        ok "with policies from the running key, an application key cannot plan (second_deployer's check would fail)"
    fi
}

# ------------------------------------------------------------------ main

# run_one NAME: one scenario in its own folder; its report in SC_DIR/report,
# its result in SC_DIR/result (pass or fail).
run_one() {
    SC="$1"
    SC_DIR="$TMP/$SC"
    mkdir -p "$SC_DIR"
    STEP_N=0
    SC_FAILS=0
    local t0=$SECONDS
    {
        echo "== $SC"
        "scenario_$SC" || bad "the scenario stopped on an error"
        if [ "$SC_FAILS" -eq 0 ]; then
            echo "PASS $SC ($((SECONDS - t0))s)"
        else
            echo "FAIL $SC ($((SECONDS - t0))s)"
        fi
    } >"$SC_DIR/report" 2>&1
    if [ "$SC_FAILS" -eq 0 ]; then echo pass >"$SC_DIR/result"; else echo fail >"$SC_DIR/result"; fi
}

START=$SECONDS
for SC in "${ONLY[@]}"; do
    if ! declare -F "scenario_$SC" >/dev/null; then
        echo "run.sh: unknown scenario $SC (known: ${ALL_SCENARIOS[*]})" >&2
        exit 2
    fi
done
# Scenarios are independent: JOBS of them at once (default 2).
JOBS="${SCENARIO_JOBS:-2}"
[[ "$JOBS" =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: SCENARIO_JOBS must be a positive number" >&2; exit 2; }
pids=()
for SC in "${ONLY[@]}"; do
    while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do
        wait -n || true
    done
    run_one "$SC" &
    pids+=($!)
done
for pid in "${pids[@]}"; do
    wait "$pid" || true
done
PASSED=()
FAILED=()
for SC in "${ONLY[@]}"; do
    cat "$TMP/$SC/report" 2>/dev/null || echo "FAIL $SC (no report)"
    if [ "$(cat "$TMP/$SC/result" 2>/dev/null)" = pass ]; then PASSED+=("$SC"); else FAILED+=("$SC"); fi
done
echo
echo "${#PASSED[@]} passed, ${#FAILED[@]} failed ($((SECONDS - START))s)${FAILED[*]:+: ${FAILED[*]}}"
[ "${#FAILED[@]}" -eq 0 ]
