package procfs

import (
	"github.com/lxgo/lx/ns"
)

// UIDMap reads /proc/PID/uid_map (user_namespaces(7), Linux 3.8): how the
// user ids of the process's user namespace map to those of another user
// namespace. Each entry maps Count ids from Inside (ids of the process's
// namespace) to Outside. The kernel shows Outside relative to the
// reader's user namespace, or, when the reader is in the process's
// namespace itself, relative to its parent: the same file reads
// differently to different readers.
//
// A namespace whose map has not been written yet (a new user namespace
// before its creator writes it) has an empty map: the result is nil and
// no error. The initial user namespace maps every id to itself, "0 0
// 4294967295". An outside id that has no mapping in the reader's user
// namespace (a reader in a sibling namespace) is shown by the kernel as
// 4294967295, ns.UnmappedID.
//
// Any user may read it; no ptrace access is needed. All threads of
// a process are in the same user namespace.
func (p Proc) UIDMap() (ns.IDMap, error) { return read(p, "uid_map", parseIDMap) }

// GIDMap reads /proc/PID/gid_map, the group ids' map, as UIDMap reads
// uid_map.
func (p Proc) GIDMap() (ns.IDMap, error) { return read(p, "gid_map", parseIDMap) }

// parseIDMap parses uid_map or gid_map: empty (no map written yet) is
// nil.
func parseIDMap(b []byte) (ns.IDMap, error) {
	m, err := ns.ParseIDMap(b)
	if err != nil {
		return nil, parseErr(0, "", err)
	}
	return m, nil
}
