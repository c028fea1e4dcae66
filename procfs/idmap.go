package procfs

import (
	"errors"
	"fmt"

	"github.com/lxgo/lx/internal/parse"
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
// 4294967295, which ns.IDMap cannot hold: the error is a *ParseError
// that says so.
//
// Any user may read it; no ptrace access is needed. All threads of
// a process are in the same user namespace.
func (p Proc) UIDMap() (ns.IDMap, error) { return read(p, "uid_map", parseIDMap) }

// GIDMap reads /proc/PID/gid_map, the group ids' map, as UIDMap reads
// uid_map.
func (p Proc) GIDMap() (ns.IDMap, error) { return read(p, "gid_map", parseIDMap) }

// errUnmappedOutside explains an id map line whose outside id the kernel
// could not map into the reader's user namespace.
var errUnmappedOutside = errors.New("outside ids not mapped in the reader's user namespace " +
	"(the kernel shows them as 4294967295, which ns.IDMap cannot hold)")

// parseIDMap parses uid_map or gid_map: empty (no map written yet) is
// nil, anything else must be what ns.ParseIDMap accepts.
func parseIDMap(b []byte) (ns.IDMap, error) {
	if len(b) == 0 {
		return nil, nil
	}
	m, err := ns.ParseIDMap(b)
	if err == nil {
		return m, nil
	}
	if line := unmappedLine(b); line > 0 {
		return nil, parseErr(line, "outside id", fmt.Errorf("%w: %w", errUnmappedOutside, err))
	}
	return nil, parseErr(0, "", err)
}

// unmappedLine returns the first line (counting from 1) of an id map
// whose second of three fields, the outside id, is 4294967295 ((uid_t)-1,
// the kernel's "no mapping"), or 0 if there is none.
func unmappedLine(b []byte) int {
	for n := 1; len(b) > 0; n++ {
		var line []byte
		line, b = parse.Line(b)
		var f [4][]byte
		for i := range f {
			f[i], line = parse.Field(line)
		}
		if len(f[2]) > 0 && len(f[3]) == 0 && string(f[1]) == "4294967295" {
			return n
		}
	}
	return 0
}
