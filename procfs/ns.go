package procfs

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"slices"

	"github.com/lxgo/lx/internal/parse"
	"github.com/lxgo/lx/ns"
)

// Namespaces maps each namespace entry of a process to the inode number of
// the namespace, as the entry's link shows it ("net:[4026531840]"). Two
// processes with the same number for a type share that namespace (inode
// numbers are unique within the nsfs file system).
type Namespaces map[ns.Type]uint64

// Namespaces reads the links in /proc/PID/ns. Entries the kernel does not
// have (no time namespaces before 5.6, or a kernel built without one) are
// simply absent; so is pid_for_children while it is not yet determined.
// Entries lx does not know (a namespace type newer than lx, which ns.Type
// cannot name) are left out rather than failing the whole read, as
// unknown lines of other files are. Reading another user's process needs
// PTRACE_MODE_READ access.
func (p Proc) Namespaces() (Namespaces, error) {
	names, err := p.readDirNames("ns")
	if err != nil {
		return nil, err
	}
	slices.Sort(names)
	nss := make(Namespaces, len(names))
	buf := make([]byte, 64)
	for _, name := range names {
		t, err := ns.ParseType(name)
		if err != nil {
			continue
		}
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
		nss[t] = ino
	}
	return nss, nil
}

// Namespace reads the link /proc/PID/ns/TYPE and returns the namespace's
// inode number. A type the kernel lacks gives an error matching
// fs.ErrNotExist; a value that is not one of ns.Types gives one matching
// fs.ErrInvalid.
func (p Proc) Namespace(t ns.Type) (uint64, error) {
	if !slices.Contains(ns.Types(), t) {
		return 0, fmt.Errorf("ns readlink: invalid namespace type %v: %w", t, fs.ErrInvalid)
	}
	name := "ns/" + t.String()
	target, _, err := p.readlink(name, make([]byte, 64))
	if err != nil {
		return 0, err
	}
	_, ino, err := parseNamespaceLink(target)
	if err != nil {
		return 0, withPath(p.path(name), err)
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
