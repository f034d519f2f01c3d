#!/usr/bin/env bash
# A real editor against the language server: headless Neovim starts `cellac lsp`,
# opens a stack and prints the diagnostics it was sent (tests/nvim/nvim-lsp-diagnostics.lua, a copy of the shared tool).
#   - tests/nvim/broken.kdl must give the codes and lines of tests/nvim/broken.expected;
#   - examples/cella/stack.kdl must give none.
# Exits non-zero on any mismatch. Run from anywhere: tests/nvim/run.sh
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
lua="${NVIM_LSP_LUA:-$root/tests/nvim/nvim-lsp-diagnostics.lua}"
bin="${CELLAC_BIN:-$root/target/debug/cellac}"

command -v nvim >/dev/null || { echo "nvim-lsp: nvim is not installed (apt-get install neovim)" >&2; exit 1; }
command -v jq >/dev/null || { echo "nvim-lsp: jq is not installed" >&2; exit 1; }
[ -f "$lua" ] || { echo "nvim-lsp: $lua not found" >&2; exit 1; }
if [ -z "${CELLAC_BIN:-}" ]; then
    cargo build --quiet --bin cellac
fi

# Prints "LINE CODE" for each diagnostic Neovim received for $1, sorted.
diagnostics() {
    local out
    out="$(LSP_CMD="[\"$bin\",\"lsp\"]" LSP_FILE="$1" LSP_LANG=kdl LSP_TIMEOUT_MS=20000 \
        nvim --headless -u NONE -i NONE -n -c "luafile $lua" </dev/null 2>/dev/null)" || {
        echo "nvim-lsp: no diagnostics published for $1: $out" >&2
        return 1
    }
    jq -r '.diagnostics[] | "\(.range.start.line + 1) \(.code)"' <<<"$out" | sort -n
}

status=0
check() {
    local file="$1" expected="$2" got
    got="$(diagnostics "$file")" || { status=1; return; }
    if [ "$got" == "$expected" ]; then
        echo "nvim-lsp: ok $file ($(grep -c . <<<"$got" || true) diagnostics)"
    else
        echo "nvim-lsp: FAIL $file" >&2
        diff <(printf '%s\n' "$expected") <(printf '%s\n' "$got") >&2 || true
        status=1
    fi
}

check tests/nvim/broken.kdl "$(grep -v '^#' tests/nvim/broken.expected)"
check examples/cella/stack.kdl ""
exit "$status"
