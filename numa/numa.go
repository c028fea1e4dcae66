// Package numa is Linux's NUMA (non-uniform memory access) interface
// without libnuma: the nodes and what sysfs says about them, and the
// memory policy system calls.
//
// Nodes (numa(7), /sys/devices/system/node): which node numbers can
// exist, which are online, which have memory or CPUs (cpuset.Set values);
// per node its CPUs, its distances to the online nodes, its meminfo (in
// bytes), its numastat allocation counters and its vmstat. FS reads them
// from any root (a container's view, a testdata tree); package-level
// functions read the running system.
//
// Memory policy (set_mempolicy(2), get_mempolicy(2), mbind(2),
// move_pages(2), migrate_pages(2), set_mempolicy_home_node(2)) has three
// scopes, and every function here says which one it affects:
//
//   - the calling thread: SetThreadPolicy, ThreadPolicy, MemsAllowed.
//     A Go program must lock its goroutine to its thread
//     (runtime.LockOSThread) around them, or the policy lands on whatever
//     thread the goroutine happens to run on and stays there for the next
//     goroutine. Do runs a function on a thread of its own with a policy
//     and restores the thread afterwards;
//   - a memory region of the calling process, for every thread:
//     SetRegionPolicy, RegionPolicy, SetHomeNode, PageNode, PageNodes,
//     MovePages, MovePagesTo. These take a []byte (a vm.Region's Bytes,
//     the result of syscall.Mmap), which must start on a page boundary
//     where the kernel says so;
//   - pages of another process, by address: ProcessPageNodes,
//     MoveProcessPages;
//   - a whole process: MigratePages;
//   - the whole system: SetInterleaveWeight, the per-node weights of
//     weighted interleaving.
//
// Node masks are cpuset.Set values holding node numbers. Every node a
// caller gives is checked against the possible nodes before any system
// call, and the error names the node. On a kernel built without
// CONFIG_NUMA the policy calls fail with a *kernel.FeatureError
// (errors.Is(err, errors.ErrUnsupported)).
package numa

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/lxgo/lx/internal/pseudofs"
	"github.com/lxgo/lx/kernel"
)

// ParseError is kernel.ParseError: a node file lx cannot parse, with its
// path, line and key.
type ParseError = kernel.ParseError

// FS reads the NUMA node files of one system's sysfs. The zero value is
// not usable; use Default or NewFS.
type FS struct {
	fs pseudofs.FS
}

// Default returns the FS of the running system: /sys.
func Default() FS { return FS{fs: pseudofs.Default()} }

// NewFS returns the FS of the system whose root directory is root: "/"
// for this machine, /proc/PID/root for a container's view, a testdata
// tree in tests. The FS reads root/sys/devices/system/node. It checks that
// root is a directory; the first read finds out whether the files exist.
func NewFS(root string) (FS, error) {
	pfs, err := pseudofs.NewRooted(root)
	if err != nil {
		return FS{}, fmt.Errorf("numa open: %w", err)
	}
	return FS{fs: pfs}, nil
}

// path is the path of a file of /sys/devices/system/node.
func (fs FS) path(name string) string {
	return fs.fs.Sys + "/devices/system/node/" + name
}

// nodePath is the path of a file of /sys/devices/system/node/nodeN.
func (fs FS) nodePath(node int, name string) string {
	return fs.fs.Sys + "/devices/system/node/node" + strconv.Itoa(node) + "/" + name
}

// read reads the file at path and parses it, turning a parser's error
// into a *ParseError naming path.
func read(path string, parse func(b []byte) error) error {
	err := pseudofs.WithFile(path, func(b []byte) error {
		if err := parse(b); err != nil {
			return withPath(path, err)
		}
		return nil
	})
	return err
}

// withPath returns err, a parser's error, as a *ParseError naming path.
func withPath(path string, err error) error {
	var pe *ParseError
	if errors.As(err, &pe) {
		if pe.Path == "" {
			pe.Path = path
		}
		return err
	}
	return &ParseError{Path: path, Err: err}
}

// checkNode rejects a node number that cannot name a node directory: the
// kernel's MAX_NUMNODES is at most 1024 (NODES_SHIFT 10).
func checkNode(node int) error {
	if node < 0 || node > MaxNode {
		return &kernel.RangeError{What: "node", Value: int64(node), Min: 0, Max: MaxNode}
	}
	return nil
}

// MaxNode is the highest node number any kernel configuration allows:
// MAX_NUMNODES is 1 << NODES_SHIFT, and NODES_SHIFT is at most 10.
const MaxNode = 1023
