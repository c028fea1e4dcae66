package procfs

import "github.com/lxgo/lx/ns"

// Setgroups reads /proc/PID/setgroups (user_namespaces(7), Linux 3.19):
// whether processes in the process's user namespace may call
// setgroups(2), "allow" or "deny". The initial user namespace allows it;
// a new namespace starts with its parent's policy, and an unprivileged
// creator must deny it before writing a gid map (ns.WriteSetgroups).
//
// Any user may read it; no ptrace access is needed. All threads of
// a process are in the same user namespace.
func (p Proc) Setgroups() (ns.Setgroups, error) {
	return read(p, "setgroups", ns.ParseSetgroups[[]byte])
}
