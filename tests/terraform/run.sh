#!/usr/bin/env bash
# Runs real Terraform (init, validate, plan) offline against what cellac
# generates for every example and environment, with the stub scaleway provider.
# See tests/terraform/README.md.
#
# usage: tests/terraform/run.sh [--cellac PATH] [--provider PATH] [--keep] [--fixture-only] [--only NAME]
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
EXPECTED="$HERE/expected.txt"
SCHEMA="${STUB_PROVIDER_SCHEMA:-$ROOT/schema/scaleway.json}"
PROVIDER_VERSION="2.79.0"

CELLAC=""
PROVIDER=""
KEEP=0
FIXTURE_ONLY=0
ONLY=""

usage() {
    sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'
    echo "usage: tests/terraform/run.sh [--cellac PATH] [--provider PATH] [--keep] [--fixture-only] [--only NAME]"
    echo "  --cellac PATH     use this cellac binary instead of building it"
    echo "  --provider PATH   use this stub provider binary instead of building it"
    echo "  --keep            keep the temporary directory (its path is printed)"
    echo "  --fixture-only    only check tests/terraform/fixture (cellac is not needed)"
    echo "  --only NAME       only this example or tests/terraform/NAME.stack.kdl (no fixture, no controls)"
}

while [ $# -gt 0 ]; do
    case "$1" in
        --cellac) CELLAC="${2:?--cellac needs a path}"; shift 2 ;;
        --provider) PROVIDER="${2:?--provider needs a path}"; shift 2 ;;
        --keep) KEEP=1; shift ;;
        --fixture-only) FIXTURE_ONLY=1; shift ;;
        --only) ONLY="${2:?--only needs a name}"; shift 2 ;;
        -h | --help) usage; exit 0 ;;
        *) echo "run.sh: unknown argument: $1" >&2; usage >&2; exit 2 ;;
    esac
done

for tool in terraform python3; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "run.sh: $tool is not on PATH" >&2
        exit 2
    fi
done

START=$(date +%s)
cd "$ROOT"

if [ -z "$PROVIDER" ]; then
    echo "== building the stub provider"
    cargo build -q -p stub-provider --release
    PROVIDER="$TARGET/release/stub-provider"
fi
if [ -z "$CELLAC" ] && [ "$FIXTURE_ONLY" -eq 0 ]; then
    echo "== building cellac"
    cargo build -q --release --bin cellac
    CELLAC="$TARGET/release/cellac"
fi
PROVIDER="$(realpath "$PROVIDER")"
[ -n "$CELLAC" ] && CELLAC="$(realpath "$CELLAC")"

TMP="$(mktemp -d "${TMPDIR:-/tmp}/cellac-tf.XXXXXX")"
cleanup() {
    if [ "$KEEP" -eq 1 ]; then
        echo "(kept $TMP)"
    else
        rm -rf "$TMP"
    fi
}
trap cleanup EXIT

# Offline provider installation: a filesystem mirror holding the stub.
# shellcheck source=tests/terraform/offline.sh
source "$HERE/offline.sh"
offline_terraform "$TMP" "$PROVIDER" "$PROVIDER_VERSION"
export TF_INPUT=0
export STUB_PROVIDER_SCHEMA="$SCHEMA"
unset TF_CLI_ARGS TF_CLI_ARGS_init TF_CLI_ARGS_validate TF_CLI_ARGS_plan TF_DATA_DIR TF_WORKSPACE TF_LOG
# Secrets of the user's shell must not leak into the check.
while IFS= read -r var; do unset "$var"; done < <(compgen -e | grep '^TF_VAR_' || true)

PASSED=0
FAILED=0
FAILURES=()
pass() { PASSED=$((PASSED + 1)); echo "PASS $1"; }
fail() { FAILED=$((FAILED + 1)); FAILURES+=("$1"); echo "FAIL $1"; }

expected_count() { # EXAMPLE ENV -> prints the expected count, if any
    [ -f "$EXPECTED" ] || return 0
    awk -v ex="$1" -v env="$2" '$1 == ex && $2 == env { print $3; exit }' "$EXPECTED"
}

# check DIR ENV LOG [EXAMPLE]: init, validate, plan in DIR (a fresh copy) for
# environment ENV; all output goes to LOG. With EXAMPLE, the number of
# resources to add is compared with expected.txt. Returns non-zero on failure.
check() {
    local dir="$1" env="$2" log="$3" example="${4:-}"
    local -a plan_args=(-input=false -lock=false -refresh=false -no-color -json
        "-var-file=environments/$env.tfvars.json")
    local -a secret_env=()
    local name value
    : >"$log"
    if [ -f "$dir/secrets.auto.tfvars.example" ]; then
        while IFS=$'\t' read -r name value; do
            secret_env+=("TF_VAR_$name=$value")
        done < <(python3 "$HERE/tfjson.py" secrets "$dir/secrets.auto.tfvars.example")
    fi
    # Per-environment secrets are only in that environment's example.
    if [ -f "$dir/secrets/$env.tfvars.example" ]; then
        while IFS=$'\t' read -r name value; do
            secret_env+=("TF_VAR_$name=$value")
        done < <(python3 "$HERE/tfjson.py" secrets "$dir/secrets/$env.tfvars.example")
    fi
    if python3 "$HERE/tfjson.py" has-var "$dir" image_tag; then
        plan_args+=(-var image_tag=test)
    fi

    # A lock file recording the real provider's hashes would reject the stub.
    rm -rf "$dir/.terraform.lock.hcl" "$dir/.terraform"
    if ! (cd "$dir" && terraform init -backend=false -input=false -no-color) >"$dir.init.out" 2>&1; then
        { echo "  terraform init failed:"; sed 's/^/  | /' "$dir.init.out"; } >>"$log"
        return 1
    fi
    (cd "$dir" && terraform validate -json -no-color) >"$dir.validate.json" 2>"$dir.validate.err" || true
    if ! python3 "$HERE/tfjson.py" validate "$dir.validate.json" >>"$log" 2>&1; then
        { echo "  terraform validate is not clean"; sed 's/^/  | /' "$dir.validate.err"; } >>"$log"
        return 1
    fi
    # Planning needs an initialised backend: a generated remote one (s3) is
    # swapped for a local one by an override file, and initialised offline.
    if python3 "$HERE/tfjson.py" has-backend "$dir"; then
        echo '{"terraform": {"backend": {"local": {}}}}' >"$dir/stub_backend_override.tf.json"
        if ! (cd "$dir" && terraform init -input=false -reconfigure -no-color) >"$dir.init-backend.out" 2>&1; then
            { echo "  terraform init (local backend override) failed:"; sed 's/^/  | /' "$dir.init-backend.out"; } >>"$log"
            return 1
        fi
    fi
    # The deploy key's access key (not secret): buckets with a policy keep its access.
    secret_env+=("TF_VAR_deployer_access_key=SCWSTUBSTUBSTUBSTUBST")
    (cd "$dir" && env "${secret_env[@]}" terraform plan "${plan_args[@]}" -out=stub.tfplan) >"$dir.plan.json" 2>&1 || true
    if ! python3 "$HERE/tfjson.py" plan "$dir.plan.json" >"$dir.plan.out" 2>&1; then
        { echo "  terraform plan failed (environment $env):"; cat "$dir.plan.out"; } >>"$log"
        return 1
    fi
    grep -v '^ADD ' "$dir.plan.out" >>"$log" || true
    # Behaviour: the planned values, as `terraform show -json` gives them.
    if ! (cd "$dir" && terraform show -json -no-color stub.tfplan) >"$dir.show.json" 2>"$dir.show.err"; then
        { echo "  terraform show failed:"; sed 's/^/  | /' "$dir.show.err"; } >>"$log"
        return 1
    fi
    local backend=""
    [ -f "$dir/environments/$env.s3.tfbackend" ] && backend="$dir/environments/$env.s3.tfbackend"
    if ! python3 "$HERE/behaviour.py" env "$dir.show.json" "$dir/environments/$env.tfvars.json" ${backend:+"$backend"} >>"$log" 2>&1; then
        echo "  the plan would not behave on Scaleway" >>"$log"
        return 1
    fi
    # The migrations alone (review 15): a plan targeted at the `*-migrate` job
    # definitions, as apply.sh --jobs-only applies them before the rollout, must not
    # pull in a container or another job.
    local targets=()
    while IFS= read -r key; do
        [ -n "$key" ] && targets+=("-target=module.jobs.scaleway_job_definition.this[\"$key\"]")
    done < <(python3 -c 'import json,sys; print("\n".join(k for k in (json.load(open(sys.argv[1])).get("jobs") or {}) if k.endswith("-migrate")))' "$dir/environments/$env.tfvars.json")
    if [ "${#targets[@]}" -gt 0 ]; then
        local -a margs=(-input=false -lock=false -refresh=false -no-color "-var-file=environments/$env.tfvars.json")
        python3 "$HERE/tfjson.py" has-var "$dir" image_tag && margs+=(-var image_tag=test)
        if ! (cd "$dir" && env "${secret_env[@]}" terraform plan "${margs[@]}" "${targets[@]}" \
            -out=migrate.tfplan >"$dir.migrate.out" 2>&1 \
            && terraform show -json -no-color migrate.tfplan >"$dir.migrate.json"); then
            { echo "  the migrations' targeted plan failed:"; sed 's/^/  | /' "$dir.migrate.out"; } >>"$log"
            return 1
        fi
        if ! python3 "$HERE/behaviour.py" migrate-target "$dir.migrate.json" >>"$log" 2>&1; then
            echo "  the migrations' targeted apply would move more than the migrations" >>"$log"
            return 1
        fi
    fi
    local added want
    added="$(sed -n 's/^ADD //p' "$dir.plan.out" | tail -n 1)"
    echo "  plan: $added to add" >>"$log"
    if [ -n "$example" ]; then
        want="$(expected_count "$example" "$env")"
        if [ -z "$want" ]; then
            echo "  no expectation for '$example $env' (plan adds $added): add the line '$example $env $added' to tests/terraform/expected.txt" >>"$log"
            return 1
        fi
        if [ "$want" != "$added" ]; then
            echo "  plan adds $added resources, tests/terraform/expected.txt says $want for '$example $env'" >>"$log"
            return 1
        fi
    fi
    return 0
}

# Cases: NAME<TAB>GENERATED-DIR, one per example (and the fixture).
declare -a CASES=()
[ -n "$ONLY" ] || CASES+=("fixture"$'\t'"$HERE/fixture")
if [ "$FIXTURE_ONLY" -eq 0 ]; then
    mkdir -p "$TMP/out"
    for stack in "$ROOT"/examples/*/stack.kdl; do
        [ -e "$stack" ] || continue
        example="$(basename "$(dirname "$stack")")"
        [ -z "$ONLY" ] || [ "$ONLY" = "$example" ] || continue
        if "$CELLAC" build "$stack" -o "$TMP/out/$example" >"$TMP/out/$example.build.log" 2>&1; then
            CASES+=("$example"$'\t'"$TMP/out/$example")
        else
            echo "--- cellac build examples/$example/stack.kdl failed:"
            sed 's/^/  | /' "$TMP/out/$example.build.log"
            fail "$example: cellac build"
        fi
    done
    # The implicit-deployer case (no `deployer`: the running key is looked up), which
    # no example shows since examples must check clean; and a job whose only key is a
    # `link token=` one (job:KEY->TARGET in modules/iam); queues (issue 23): a FIFO
    # queue with a dead-letter queue, senders, a consumer (trigger), a receiving job;
    # services per environment (`enabled=#false`) and Redis.
    for extra in implicit job-token queues enabled; do
        [ -z "$ONLY" ] || [ "$ONLY" = "$extra" ] || continue
        if "$CELLAC" build "$HERE/$extra.stack.kdl" -o "$TMP/out/$extra" >"$TMP/out/$extra.build.log" 2>&1; then
            CASES+=("$extra"$'\t'"$TMP/out/$extra")
        else
            sed 's/^/  | /' "$TMP/out/$extra.build.log"
            fail "$extra: cellac build"
        fi
    done
fi

CONTROL_BASE=""
CONTROL_ENV=""
for case_ in "${CASES[@]}"; do
    example="${case_%%$'\t'*}"
    out="${case_#*$'\t'}"
    envs=()
    for f in "$out"/environments/*.tfvars.json; do
        [ -e "$f" ] || continue
        name="$(basename "$f" .tfvars.json)"
        # A preview template is planned as the preview with id 42 (p42), as
        # scripts/preview.sh up 42 would deploy it.
        if [ "$example" != fixture ] && preview="$(python3 "$HERE/tfjson.py" preview "$out" "$name" 42)"; then
            name="$preview"
        fi
        envs+=("$name")
    done
    if [ "${#envs[@]}" -eq 0 ]; then
        fail "$example: no environments/*.tfvars.json in the generated folder"
        continue
    fi
    if [ -z "$CONTROL_BASE" ] && { [ "$example" != fixture ] || [ "$FIXTURE_ONLY" -eq 1 ]; }; then
        CONTROL_BASE="$out"
        CONTROL_ENV="${envs[0]}"
    fi
    plans=()
    for env in "${envs[@]}"; do
        work="$TMP/work/$example-$env"
        plans+=("$env=$work.show.json:$work/environments/$env.tfvars.json")
        mkdir -p "$(dirname "$work")"
        cp -r "$out" "$work"
        t0=$(date +%s)
        if check "$work" "$env" "$work.log" "$example"; then
            [ -s "$work.log" ] && cat "$work.log"
            pass "$example $env ($(($(date +%s) - t0))s)"
        else
            echo "--- $example $env:"
            cat "$work.log"
            fail "$example $env"
        fi
    done
    if [ "$example" != fixture ]; then
        if python3 "$HERE/behaviour.py" example "${plans[@]}"; then
            pass "$example: no project-scoped resource managed twice in one project"
        else
            fail "$example: project-scoped resources"
        fi
    fi
done

# Negative controls of the behaviour checks: each must reject a hand-broken copy
# of a good plan (the canonical stack's prod, which has every kind of resource).
# examples/release and examples/django have what the optional controls break: jobs,
# lifecycle rules, a database with a migration and a job of its own;
# tests/terraform/job-token.stack.kdl a job whose only key is a link token= one;
# tests/terraform/enabled.stack.kdl a Redis cluster.
EXTRAS=()
for extra in release-prod django-prod job-token-dev queues-dev enabled-prod; do
    if [ -f "$TMP/work/$extra.show.json" ]; then
        EXTRAS+=(--extra "$TMP/work/$extra.show.json:$TMP/work/$extra/environments/${extra##*-}.tfvars.json")
    fi
done
if [ -z "$ONLY" ] && [ -f "$TMP/work/cella-prod.show.json" ]; then
    if python3 "$HERE/behaviour.py" selftest "$TMP/work/cella-prod.show.json" \
        "$TMP/work/cella-prod/environments/prod.tfvars.json" "$TMP/work/cella-prod/environments/prod.s3.tfbackend" \
        "${EXTRAS[@]}"; then
        pass "behaviour controls"
    else
        fail "behaviour controls"
    fi
fi

# Negative controls: each mutation must make the same check fail with
# Terraform's (or the provider's) own message (an extended regex). In JSON
# syntax Terraform reports an unknown argument as "Extraneous JSON object
# property" where native syntax says "Unsupported argument".
if [ -n "$ONLY" ]; then
    echo "(--only $ONLY: no negative controls)"
elif [ -n "$CONTROL_BASE" ]; then
    for control in "misspelt=Unsupported argument|Extraneous JSON object property" \
        "missing=Missing required argument" \
        "undeclared=Reference to undeclared input variable" \
        "computed=Value for unconfigurable attribute"; do
        kind="${control%%=*}"
        message="${control#*=}"
        work="$TMP/control/$kind"
        mkdir -p "$(dirname "$work")"
        cp -r "$CONTROL_BASE" "$work"
        if ! what="$(python3 "$HERE/mutate.py" "$kind" "$work" "$SCHEMA" 2>&1)"; then
            echo "  $what"
            fail "control $kind: could not mutate the configuration"
            continue
        fi
        if check "$work" "$CONTROL_ENV" "$work.log"; then
            echo "--- control $kind ($what): the check passed, it should have failed"
            fail "control $kind"
        elif grep -qE "$message" "$work.log"; then
            pass "control $kind: $what -> \"$message\""
        else
            echo "--- control $kind ($what): failed without \"$message\":"
            cat "$work.log"
            fail "control $kind"
        fi
    done
else
    fail "negative controls: no generated example to mutate"
fi

echo
if [ "$FAILED" -gt 0 ]; then
    echo "Failures:"
    printf '  %s\n' "${FAILURES[@]}"
fi
echo "terraform checks took $(($(date +%s) - START))s"
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
