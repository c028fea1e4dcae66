package cgroup

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/lxgo/lx/internal/parse"
	"github.com/lxgo/lx/internal/pseudofs"
)

// Hierarchy is one line of /proc/PID/cgroup: the cgroup a process belongs
// to in one mounted hierarchy.
type Hierarchy struct {
	// ID is the hierarchy ID. 0 is the unified (v2) hierarchy; v1
	// hierarchies have the IDs listed in /proc/cgroups.
	ID int
	// Controllers are the v1 controllers bound to the hierarchy, such as
	// "memory" or "cpu", and "name=NAME" for a named hierarchy without
	// controllers (systemd's "name=systemd"). Empty for v2.
	Controllers []string
	// Path is the cgroup's path below the hierarchy's root, "/" for the
	// root itself. Inside a cgroup namespace it is relative to the
	// namespace's root and starts with "/.." for cgroups outside it.
	Path string
	// Deleted reports that the v2 cgroup has been removed while the
	// process is still in it (the kernel appends " (deleted)").
	Deleted bool
}

// Unified reports whether h is the v2 hierarchy.
func (h Hierarchy) Unified() bool { return h.ID == 0 && len(h.Controllers) == 0 }

// String formats h as the kernel does in /proc/PID/cgroup, such as
// "4:memory:/user.slice" or "0::/init.scope".
func (h Hierarchy) String() string {
	s := strconv.Itoa(h.ID) + ":" + strings.Join(h.Controllers, ",") + ":" + h.Path
	if h.Deleted {
		s += deletedSuffix
	}
	return s
}

// Membership is where a process sits in every cgroup hierarchy, from
// /proc/PID/cgroup.
type Membership struct {
	// Hierarchies holds one entry per line of the file, in the kernel's
	// order (highest hierarchy ID first).
	Hierarchies []Hierarchy
}

// Unified returns the process's path in the v2 hierarchy. ok is false when
// the kernel shows no v2 line: cgroup2 has never been mounted (a pure v1
// host).
func (m Membership) Unified() (path string, ok bool) {
	for _, h := range m.Hierarchies {
		if h.Unified() {
			return h.Path, true
		}
	}
	return "", false
}

// Controller returns the process's path in the v1 hierarchy that holds the
// controller name (such as "memory", "pids" or "name=systemd"). ok is
// false when no v1 hierarchy has it: on a v2-only host, or when the
// controller is in the v2 hierarchy.
func (m Membership) Controller(name string) (path string, ok bool) {
	for _, h := range m.Hierarchies {
		for _, c := range h.Controllers {
			if c == name {
				return h.Path, true
			}
		}
	}
	return "", false
}

// Self returns the calling process's cgroups, from /proc/self/cgroup
// (Linux 2.6.24+, no privilege). The v2 path is also what a pidfd's
// PIDFD_GET_INFO cgroup ID names.
func Self() (Membership, error) { return Default().Self() }

// OfProcess returns the cgroups of process pid, from /proc/PID/cgroup
// (Linux 2.6.24+, no privilege). The paths are relative to the caller's
// cgroup namespace. A process that does not exist gives an error matching
// fs.ErrNotExist.
func OfProcess(pid int) (Membership, error) { return Default().OfProcess(pid) }

// Self is the package-level Self for this FS.
func (fs FS) Self() (Membership, error) { return fs.read("self") }

// OfProcess is the package-level OfProcess for this FS.
func (fs FS) OfProcess(pid int) (Membership, error) {
	if pid <= 0 {
		return Membership{}, fmt.Errorf("cgroup membership read: invalid pid %d", pid)
	}
	return fs.read(strconv.Itoa(pid))
}

func (fs FS) read(pid string) (Membership, error) {
	var m Membership
	err := pseudofs.WithFile(fs.fs.ProcPath(pid, "cgroup"), func(b []byte) error {
		var err error
		m, err = parseMembership(b)
		return err
	})
	if err != nil {
		return Membership{}, fmt.Errorf("cgroup membership read: %w", err)
	}
	return m, nil
}

const deletedSuffix = " (deleted)"

// parseMembership parses /proc/PID/cgroup: lines of
// "hierarchy-ID:controller-list:cgroup-path". The path is everything after
// the second colon and may itself hold colons.
func parseMembership(b []byte) (Membership, error) {
	var m Membership
	for len(b) > 0 {
		var line []byte
		line, b = parse.Line(b)
		if len(line) == 0 {
			continue
		}
		h, err := parseHierarchy(line)
		if err != nil {
			return Membership{}, err
		}
		m.Hierarchies = append(m.Hierarchies, h)
	}
	return m, nil
}

func parseHierarchy(line []byte) (Hierarchy, error) {
	id, rest, ok := bytes.Cut(line, colon)
	if !ok {
		return Hierarchy{}, fmt.Errorf("cgroup line %q: want ID:controllers:path", line)
	}
	ctrls, path, ok := bytes.Cut(rest, colon)
	if !ok {
		return Hierarchy{}, fmt.Errorf("cgroup line %q: want ID:controllers:path", line)
	}
	n, err := parse.Uint(id)
	if err != nil || n > math.MaxInt32 {
		return Hierarchy{}, fmt.Errorf("cgroup line %q: bad hierarchy ID", line)
	}
	h := Hierarchy{ID: int(n)}
	if len(ctrls) > 0 {
		h.Controllers = strings.Split(string(ctrls), ",")
	}
	if h.Unified() {
		if p, ok := bytes.CutSuffix(path, []byte(deletedSuffix)); ok {
			path, h.Deleted = p, true
		}
	}
	h.Path = string(path)
	return h, nil
}

var colon = []byte{':'}
