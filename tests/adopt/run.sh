#!/usr/bin/env bash
# Adopting a running deployment (issue 21), end to end with real Terraform, offline,
# against the stand-in provider:
#   1. the hand-written dev environment (tests/fixtures/adopt/handwritten: the seed's
#      layout, `-v2` bucket names, 6 secrets whose versions hold a recognisable fake
#      value, Cockpit and a Grafana user) is applied into a state;
#   2. `cellac adopt --fix` on a copy of the canonical stack, with that state (raw, then
#      `terraform show -json`), then `cellac build`;
#   3. `terraform plan` of cellac's output against that state: no resource that holds
#      data (DATA_TYPES of the deploy scripts' destroy guard) is deleted or replaced;
#   4. negative controls: without adopt.tf.json the plan destroys data; the fake secret
#      value appears in no cellac output (stdout, stderr, written files, every --format).
#
# usage: tests/adopt/run.sh --cellac PATH --provider PATH [--keep]
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
CELLAC=""
PROVIDER=""
KEEP=0
while [ $# -gt 0 ]; do
    case "$1" in
        --cellac) CELLAC="$(realpath "${2:?--cellac needs a path}")"; shift 2 ;;
        --provider) PROVIDER="$(realpath "${2:?--provider needs a path}")"; shift 2 ;;
        --keep) KEEP=1; shift ;;
        *) echo "run.sh: unknown argument: $1" >&2; exit 2 ;;
    esac
done
if [ -z "$CELLAC" ] || [ -z "$PROVIDER" ]; then
    echo "usage: $0 --cellac PATH --provider PATH [--keep]" >&2
    exit 2
fi

TMP="$(mktemp -d "${TMPDIR:-/tmp}/cellac-adopt.XXXXXX")"
cleanup() { if [ "$KEEP" -eq 1 ]; then echo "(kept $TMP)"; else rm -rf "$TMP"; fi; }
trap cleanup EXIT

# shellcheck source=tests/terraform/offline.sh
source "$ROOT/tests/terraform/offline.sh"
offline_terraform "$TMP" "$PROVIDER" "2.79.0"
export TF_INPUT=0 STUB_PROVIDER_SCHEMA="$ROOT/schema/scaleway.json" SCW_DEFAULT_REGION=nl-ams
unset TF_CLI_ARGS TF_CLI_ARGS_init TF_CLI_ARGS_plan TF_DATA_DIR TF_WORKSPACE TF_LOG
while IFS= read -r var; do unset "$var"; done < <(compgen -e | grep '^TF_VAR_' || true)

FAILED=0
pass() { echo "PASS $1"; }
fail() { echo "FAIL $1"; FAILED=$((FAILED + 1)); }

# The fake secret: every secret of the hand-written state holds it (with a suffix).
FAKE="FAKE-SECRET-7f3a9c2e-do-not-print"
secrets_json() {
    local n out="{"
    for n in database_url database_admin_url database_cdc_url argon_secret cookie_secret unsubscribe_secret; do
        out+="\"$n\": \"$FAKE-$n\","
    done
    printf '%s}' "${out%,}"
}

# 1. The hand-written deployment, applied.
HAND="$TMP/handwritten"
cp -r "$ROOT/tests/fixtures/adopt/handwritten" "$HAND"
(cd "$HAND" && terraform init -input=false -no-color >"$TMP/hand-init.out" 2>&1) || { cat "$TMP/hand-init.out"; exit 1; }
(cd "$HAND" && TF_VAR_secrets="$(secrets_json)" terraform apply -auto-approve -input=false -no-color >"$TMP/hand-apply.out" 2>&1) ||
    { cat "$TMP/hand-apply.out"; exit 1; }
(cd "$HAND" && terraform state pull) >"$TMP/dev.tfstate"
(cd "$HAND" && terraform show -json) >"$TMP/dev.show.json"
count="$(jq '[.resources[] | select(.mode == "managed") | .instances[]] | length' "$TMP/dev.tfstate")"
if [ "$count" = 24 ]; then pass "the hand-written dev state holds 24 resources"; else fail "the hand-written state holds $count resources, not 24"; fi
if grep -q "$FAKE" "$TMP/dev.tfstate"; then pass "the state holds the fake secret in plain text (the control of the leak checks)"; else fail "the fake secret is not in the state"; fi

# 2. Adopt and build: the canonical stack, with dev's live names written by --fix.
WORK="$TMP/work"
mkdir -p "$WORK"
cp "$ROOT/tests/spec/cella.stack.kdl" "$WORK/stack.kdl"
OUT="$TMP/outputs"
mkdir -p "$OUT"
run_cellac() { # NAME ARGS...: runs cellac in WORK, keeping stdout and stderr for the leak check
    local name="$1"; shift
    local rc=0
    (cd "$WORK" && "$CELLAC" "$@") >"$OUT/$name.stdout" 2>"$OUT/$name.stderr" || rc=$?
    return "$rc"
}
# Every report format first, without --fix (the stack unchanged: errors, exit 1).
for format in human json github sarif; do
    rc=0; run_cellac "adopt-$format" adopt stack.kdl --env dev --state "$TMP/dev.tfstate" -o infra --format "$format" || rc=$?
    if [ "$rc" = 1 ]; then pass "adopt --format $format without --fix reports what would be replaced (exit 1)"; else fail "adopt --format $format exited $rc"; cat "$OUT/adopt-$format.stderr"; fi
done
if grep -q 'cellac::adopt::name' "$OUT/adopt-human.stderr" && grep -q 'cellac::adopt::project' "$OUT/adopt-human.stderr"; then
    pass "adopt names the bucket and project edits"
else
    fail "adopt does not report cellac::adopt::name and cellac::adopt::project"; cat "$OUT/adopt-human.stderr"
fi
rc=0; run_cellac adopt-show adopt stack.kdl --env dev --state "$TMP/dev.show.json" -o infra-show || rc=$?
[ "$rc" = 1 ] || fail "adopt from terraform show -json exited $rc"
rc=0; run_cellac adopt-fix adopt stack.kdl --env dev --state "$TMP/dev.tfstate" --fix -o infra || rc=$?
if [ "$rc" = 0 ]; then pass "adopt --fix leaves nothing that would be replaced"; else fail "adopt --fix exited $rc"; cat "$OUT/adopt-fix.stderr"; fi
for want in 'bucket public-uploads name="dev-cella-public-uploads-v2"' 'bucket private-uploads name="dev-cella-private-uploads-v2"' 'project id="'; do
    if grep -qF "$want" "$WORK/stack.kdl"; then pass "--fix wrote $want in the stack"; else fail "--fix did not write $want"; fi
done
# The same state read from `terraform show -json` gives the same adopt.tf.json.
rc=0; run_cellac adopt-show-fixed adopt stack.kdl --env dev --state "$TMP/dev.show.json" -o infra-show || rc=$?
if [ "$rc" = 0 ] && cmp -s "$WORK/infra/adopt.tf.json" "$WORK/infra-show/adopt.tf.json"; then
    pass "the raw state and terraform show -json adopt alike"
else
    fail "show -json adopts differently (exit $rc)"; diff "$WORK/infra/adopt.tf.json" "$WORK/infra-show/adopt.tf.json" || true
fi
rc=0; run_cellac check check stack.kdl || rc=$?
[ "$rc" = 0 ] || { fail "the fixed stack does not check"; cat "$OUT/check.stderr"; }
rc=0; run_cellac build build stack.kdl -o infra || rc=$?
[ "$rc" = 0 ] || { fail "cellac build failed"; cat "$OUT/build.stderr"; }
if [ -f "$WORK/infra/adopt.tf.json" ]; then pass "cellac build keeps adopt.tf.json"; else fail "cellac build removed adopt.tf.json"; fi
rc=0; run_cellac build-check build stack.kdl -o infra --check || rc=$?
[ "$rc" = 0 ] || { fail "cellac build --check is not clean with adopt.tf.json"; cat "$OUT/build-check.stderr"; }

# 4b. No cellac output holds the fake secret (before Terraform writes a state there).
if grep -rqF "$FAKE" "$OUT" "$WORK"; then
    fail "the fake secret value reached a cellac output:"; grep -rlF "$FAKE" "$OUT" "$WORK"
else
    pass "the fake secret value is in no cellac output (stdout, stderr, files, every format)"
fi

# 3. Plan cellac's output against the hand-written state.
# plan DIR LOG: init with a local backend holding the hand-written state, plan dev.
plan() {
    local dir="$1"
    echo '{"terraform": {"backend": {"local": {}}}}' >"$dir/stub_backend_override.tf.json"
    cp "$TMP/dev.tfstate" "$dir/terraform.tfstate"
    rm -rf "$dir/.terraform" "$dir/.terraform.lock.hcl"
    (cd "$dir" && terraform init -input=false -reconfigure -no-color) >"$dir.init.out" 2>&1 || { cat "$dir.init.out"; return 1; }
    local -a env=("TF_VAR_deployer_access_key=SCWSTUBSTUBSTUBSTUBST")
    local name value
    while IFS=$'\t' read -r name value; do
        env+=("TF_VAR_$name=$value")
    done < <(python3 "$ROOT/tests/terraform/tfjson.py" secrets "$dir/secrets.auto.tfvars.example")
    (cd "$dir" && env "${env[@]}" terraform plan -input=false -lock=false -no-color \
        -var-file=environments/dev.tfvars.json -var image_tag=test -out=dev.tfplan) >"$dir.plan.out" 2>&1 ||
        { cat "$dir.plan.out"; return 1; }
    (cd "$dir" && terraform show -json dev.tfplan) >"$dir.plan.json"
}
# doomed PLAN_JSON: the data-bearing resources the plan deletes or replaces.
doomed() {
    local types
    types="$(sed -n '/^DATA_TYPES=(/,/)/p' "$WORK/infra/scripts/stack.sh" | tr -d "()'" | sed 's/DATA_TYPES=//' | tr -s ' \n' '\n' | jq -R 'select(. != "")' | jq -sc .)"
    jq -r --argjson types "$types" '(.resource_changes // [])[]
        | select((.change.actions // []) | index("delete"))
        | select(.type as $t | $types | index($t))
        | "\(.address) \(.change.actions | join(","))"' "$1"
}
cp -r "$WORK/infra" "$TMP/plan-adopted"
if plan "$TMP/plan-adopted"; then
    lost="$(doomed "$TMP/plan-adopted.plan.json")"
    if [ -z "$lost" ]; then
        pass "after adopt, the plan deletes or replaces nothing that holds data"
    else
        fail "after adopt, the plan still destroys data:"; echo "$lost"
    fi
    forgotten="$(jq -r '[(.resource_changes // [])[] | select((.change.actions // []) == ["forget"])] | length' "$TMP/plan-adopted.plan.json")"
    if [ "$forgotten" -ge 14 ]; then pass "the plan forgets the $forgotten resources cellac does not manage"; else fail "the plan forgets $forgotten resources, expected the 6 secrets, 6 versions and Cockpit's 2"; fi
    any="$(jq -r '(.resource_changes // [])[] | select((.change.actions // []) | index("delete")) | .address' "$TMP/plan-adopted.plan.json")"
    if [ -z "$any" ]; then pass "after adopt, the plan deletes or replaces nothing at all"; else fail "after adopt, the plan deletes or replaces:"; echo "$any"; fi
    moved="$(jq -r '[(.resource_changes // [])[] | select(.previous_address != null)] | length' "$TMP/plan-adopted.plan.json")"
    if [ "$moved" = 8 ]; then pass "the plan moves the 8 resources at other addresses to cellac's"; else fail "the plan moves $moved resources, not 8"; fi
else
    fail "terraform plan of the adopted output failed"
fi
# 4a. Negative control: the same output without adopt.tf.json destroys data.
cp -r "$WORK/infra" "$TMP/plan-bare"
rm "$TMP/plan-bare/adopt.tf.json"
if plan "$TMP/plan-bare"; then
    lost="$(doomed "$TMP/plan-bare.plan.json" | wc -l)"
    if [ "$lost" -gt 0 ]; then pass "without adopt.tf.json the plan destroys $lost resources that hold data (the control)"; else fail "without adopt.tf.json nothing is destroyed: the test cannot fail"; fi
else
    fail "terraform plan without adopt.tf.json failed"
fi

# --done removes the file, and only it.
rc=0; run_cellac adopt-done adopt --done -o infra || rc=$?
if [ "$rc" = 0 ] && [ ! -e "$WORK/infra/adopt.tf.json" ] && [ -f "$WORK/infra/main.tf.json" ]; then
    pass "adopt --done removes adopt.tf.json and nothing else"
else
    fail "adopt --done (exit $rc)"
fi

if [ "$FAILED" -gt 0 ]; then
    echo "$FAILED failed"
    exit 1
fi
echo "all passed"
