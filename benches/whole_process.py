#!/usr/bin/env python3
"""Whole-process timer: several commands run by run, each after an edit of its input.

    python3 benches/whole_process.py SPEC.json [--runs N] [--warmup N] [--raw FILE]

SPEC.json describes the commands:

    {
      "runs": 60,                      # timed runs per command (optional, default 60)
      "warmup": 3,                     # untimed runs per command first (optional, default 3)
      "commands": [
        {
          "name": "cellac",
          "argv": ["${CELLAC}", "build", "stack.kdl", "--out", "infra"],
          "cwd": "${WORK}",            # optional; the harness changes into it, untimed
          "setup": [["cmd", "arg"]],   # optional; run once before the first run, untimed
          "edit": {                    # optional; done before every run, untimed
            "file": "stack.kdl",       # relative to cwd
            "regex": "port (\\d+)",    # the first match's group 1 is replaced
            "values": ["3000", "3001"] # toggled: the one that is not there now
          }
        },
        {"name": "/bin/true", "argv": ["/bin/true"]}
      ]
    }

"${VAR}" in argv, cwd, setup and the edited file's path is taken from the environment.

Each run spawns the command with os.posix_spawn (standard output and error to
/dev/null), waits with os.waitpid and times spawn-to-reap with time.perf_counter. The
CPU of a run is the change in getrusage(RUSAGE_CHILDREN) (user and system) across it.
Commands are interleaved run by run, and the order is reversed every other run so
that none always runs first. A command that exits non-zero stops the harness.

Prints, per command, the median wall time with p25 and p75, the median CPU (user +
system) and the medians of each, in milliseconds. The total is the precise figure: the
kernel may split it into user and system by sampling ticks.
"""

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import sys
import time

# Standard output and error of every spawned command go to /dev/null.
QUIET = [
    (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
    (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0),
]


def expand(s):
    out = os.path.expandvars(s)
    if "${" in out:
        sys.exit(f"whole_process: unset variable in {s!r}")
    return out


class Command:
    def __init__(self, spec):
        self.name = spec["name"]
        argv = [expand(a) for a in spec["argv"]]
        self.cwd = expand(spec["cwd"]) if "cwd" in spec else os.getcwd()
        exe = argv[0]
        if os.sep not in exe:
            exe = shutil.which(exe) or exe
        elif not os.path.isabs(exe):
            exe = os.path.join(self.cwd, exe)
        self.exe = exe
        self.argv = argv
        self.setup = [[expand(a) for a in cmd] for cmd in spec.get("setup", [])]
        edit = spec.get("edit")
        if edit:
            self.edit_file = os.path.join(self.cwd, expand(edit["file"]))
            self.edit_regex = re.compile(edit["regex"])
            self.edit_values = [str(v) for v in edit["values"]]
            if len(self.edit_values) != 2:
                sys.exit(f"whole_process: {self.name}: edit.values needs two values")
        else:
            self.edit_file = None
        self.wall = []
        self.user = []
        self.sys = []

    def do_setup(self):
        os.chdir(self.cwd)
        for cmd in self.setup:
            pid = os.posix_spawn(
                shutil.which(cmd[0]) or cmd[0], cmd, os.environ, file_actions=QUIET
            )
            _, status = os.waitpid(pid, 0)
            if os.waitstatus_to_exitcode(status) != 0:
                sys.exit(f"whole_process: {self.name}: setup {cmd} failed")

    def edit(self):
        if self.edit_file is None:
            return
        with open(self.edit_file, encoding="utf-8") as f:
            text = f.read()
        m = self.edit_regex.search(text)
        if m is None:
            sys.exit(f"whole_process: {self.name}: {self.edit_regex.pattern!r} not in {self.edit_file}")
        a, b = self.edit_values
        new = b if m.group(1) == a else a
        text = text[: m.start(1)] + new + text[m.end(1) :]
        with open(self.edit_file, "w", encoding="utf-8") as f:
            f.write(text)

    def run(self, record):
        os.chdir(self.cwd)
        self.edit()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        pid = os.posix_spawn(self.exe, self.argv, os.environ, file_actions=QUIET)
        _, status = os.waitpid(pid, 0)
        t1 = time.perf_counter()
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            sys.exit(f"whole_process: {self.name} exited with {code}: {self.argv}")
        if record:
            self.wall.append((t1 - t0) * 1000)
            self.user.append((after.ru_utime - before.ru_utime) * 1000)
            self.sys.append((after.ru_stime - before.ru_stime) * 1000)


def quartiles(xs):
    q = statistics.quantiles(xs, n=4, method="inclusive")
    return q[0], q[1], q[2]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("spec", help="the JSON description of the commands")
    ap.add_argument("--runs", type=int, help="timed runs per command (overrides the spec)")
    ap.add_argument("--warmup", type=int, help="untimed runs per command first")
    ap.add_argument("--raw", help="write every sample to this JSON file")
    args = ap.parse_args()

    with open(args.spec, encoding="utf-8") as f:
        spec = json.load(f)
    runs = args.runs or spec.get("runs", 60)
    warmup = args.warmup if args.warmup is not None else spec.get("warmup", 3)
    start_dir = os.getcwd()
    commands = [Command(c) for c in spec["commands"]]

    for c in commands:
        c.do_setup()
    for i in range(warmup + runs):
        order = commands if i % 2 == 0 else commands[::-1]
        for c in order:
            c.run(record=i >= warmup)
    os.chdir(start_dir)

    width = max(len(c.name) for c in commands)
    print(f"{runs} runs per command, interleaved, after {warmup} warm-up runs")
    print(f"{'command':<{width}}  median ms  (p25, p75)          CPU ms  user ms  sys ms")
    for c in commands:
        p25, med, p75 = quartiles(c.wall)
        cpu = statistics.median(u + s for u, s in zip(c.user, c.sys))
        user = statistics.median(c.user)
        system = statistics.median(c.sys)
        print(
            f"{c.name:<{width}}  {med:9.2f}  ({p25:6.2f}, {p75:6.2f})  {cpu:8.2f}  {user:7.2f}  {system:6.2f}"
        )
    if args.raw:
        with open(args.raw, "w", encoding="utf-8") as f:
            json.dump(
                {c.name: {"wall_ms": c.wall, "user_ms": c.user, "sys_ms": c.sys} for c in commands},
                f,
                indent=1,
            )


if __name__ == "__main__":
    main()
