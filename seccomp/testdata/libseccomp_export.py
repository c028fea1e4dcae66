#!/usr/bin/python3
"""Builds a seccomp filter with libseccomp (Debian's python3-seccomp) from
the rules lx's tests give as JSON on stdin, and writes its classic BPF
program (SyscallFilter.export_bpf) to the file named by the argument.

Input: {"arch": AUDIT_ARCH value, "default": action, "badarch": action,
        "rules": [{"name": str, "nr": int, "action": action,
                   "args": [[index, op, datum_a, datum_b], ...]}]}
where an action is lx's text form ("allow", "errno(13)", "trace(7)", ...)
and an op is a libseccomp operator name ("EQ", "MASKED_EQ", ...).

A rule is added by name where libseccomp's table gives the name the same
number as lx's, by number on the native architecture otherwise, and left
out on another architecture: stdout is a JSON list of the indexes of the
rules left out, which the test leaves out of lx's policy too.
"""

import json
import sys

import seccomp

SIMPLE = {
    "allow": seccomp.ALLOW,
    "kill-process": seccomp.KILL_PROCESS,
    "kill-thread": seccomp.KILL,
    "trap": seccomp.TRAP,
    "log": seccomp.LOG,
    "user-notify": seccomp.NOTIFY,
}


def action(text):
    if text in SIMPLE:
        return SIMPLE[text]
    name, _, rest = text.partition("(")
    data = int(rest.rstrip(")"))
    if name == "errno":
        return seccomp.ERRNO(data)
    if name == "trace":
        return seccomp.TRACE(data)
    raise ValueError("unknown action " + text)


def signed32(v):
    return v - (1 << 32) if v >= 1 << 31 else v


def main():
    spec = json.load(sys.stdin)
    arch = signed32(spec["arch"])
    native = spec["arch"] == seccomp.system_arch() & 0xFFFFFFFF
    f = seccomp.SyscallFilter(defaction=action(spec["default"]))
    f.set_attr(seccomp.Attr.ACT_BADARCH, action(spec["badarch"]))
    if not native:
        f.add_arch(arch)
        f.remove_arch(seccomp.Arch.NATIVE)
    dropped = []
    for i, r in enumerate(spec["rules"]):
        args = [seccomp.Arg(a[0], getattr(seccomp, a[1]), a[2], a[3]) for a in r["args"]]
        if seccomp.resolve_syscall(arch, r["name"]) == r["nr"]:
            call = r["name"]
        elif native:
            call = r["nr"]
        else:
            dropped.append(i)
            continue
        f.add_rule(action(r["action"]), call, *args)
    with open(sys.argv[1], "wb") as out:
        f.export_bpf(out)
    json.dump(dropped, sys.stdout)


if __name__ == "__main__":
    main()
