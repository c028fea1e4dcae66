package procfs

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"github.com/lxgo/lx/internal/parse"
)

// NamespaceType names an entry of /proc/PID/ns (namespaces(7)).
type NamespaceType string

const (
	NamespaceCgroup          NamespaceType = "cgroup"            // cgroup root directory (4.6)
	NamespaceIPC             NamespaceType = "ipc"               // System V IPC, POSIX message queues
	NamespaceMnt             NamespaceType = "mnt"               // mounts
	NamespaceNet             NamespaceType = "net"               // network devices, stacks, ports
	NamespacePID             NamespaceType = "pid"               // process ids
	NamespacePIDForChildren  NamespaceType = "pid_for_children"  // the pid namespace children will get (4.12)
	NamespaceTime            NamespaceType = "time"              // boot and monotonic clocks (5.6)
	NamespaceTimeForChildren NamespaceType = "time_for_children" // the time namespace children will get (5.6)
	NamespaceUser            NamespaceType = "user"              // user and group ids
	NamespaceUTS             NamespaceType = "uts"               // host and NIS domain name
)

// String returns the entry name, "net".
func (t NamespaceType) String() string { return string(t) }

// Namespaces maps each namespace entry of a process to the inode number of
// the namespace, as the entry's link shows it ("net:[4026531840]"). Two
// processes with the same number for a type share that namespace (inode
// numbers are unique within the nsfs file system).
type Namespaces map[NamespaceType]uint64

// Namespaces reads the links in /proc/PID/ns. Entries the kernel does not
// have (no time namespaces before 5.6, or a kernel built without one) are
// simply absent; so is pid_for_children while it is not yet determined.
// Reading another user's process needs PTRACE_MODE_READ access.
func (p Proc) Namespaces() (Namespaces, error) {
	names, err := p.readDirNames("ns")
	if err != nil {
		return nil, err
	}
	slices.Sort(names)
	ns := make(Namespaces, len(names))
	buf := make([]byte, 64)
	for _, name := range names {
		var target []byte
		target, buf, err = p.readlink("ns/"+name, buf)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		_, ino, err := parseNamespaceLink(target)
		if err != nil {
			return nil, withPath(p.path("ns/"+name), err)
		}
		ns[NamespaceType(name)] = ino
	}
	return ns, nil
}

// Namespace reads the link /proc/PID/ns/TYPE and returns the namespace's
// inode number. A type the kernel lacks gives an error matching
// fs.ErrNotExist.
func (p Proc) Namespace(t NamespaceType) (uint64, error) {
	if t == "" || strings.ContainsAny(string(t), "/\x00") {
		return 0, fmt.Errorf("ns readlink: invalid namespace type %q: %w", string(t), fs.ErrInvalid)
	}
	target, _, err := p.readlink("ns/"+string(t), make([]byte, 64))
	if err != nil {
		return 0, err
	}
	_, ino, err := parseNamespaceLink(target)
	if err != nil {
		return 0, withPath(p.path("ns/"+string(t)), err)
	}
	return ino, nil
}

var errNamespaceLink = errors.New(`want "type:[inode]"`)

// parseNamespaceLink parses a namespace link target, "net:[4026531840]".
// The type is the namespace's kind, which is "pid" for pid_for_children.
func parseNamespaceLink(b []byte) (typ string, ino uint64, err error) {
	t, rest, ok := bytes.Cut(b, []byte{':'})
	if !ok || len(t) == 0 || len(rest) < 3 || rest[0] != '[' || rest[len(rest)-1] != ']' {
		return "", 0, parseErr(0, "link", fmt.Errorf("%w, got %q", errNamespaceLink, b))
	}
	ino, err = parse.Uint(rest[1 : len(rest)-1])
	if err != nil {
		return "", 0, parseErr(0, "inode", err)
	}
	return string(t), ino, nil
}

// isNamespaceLinkType reports whether typ is the kind a namespace link
// names (the part before ":[").
func isNamespaceLinkType(typ string) bool {
	switch NamespaceType(typ) {
	case NamespaceCgroup, NamespaceIPC, NamespaceMnt, NamespaceNet, NamespacePID,
		NamespaceTime, NamespaceUser, NamespaceUTS:
		return true
	}
	return false
}
