package procfs

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/lxgo/lx/internal/parse"
)

// Cgroup is one line of /proc/PID/cgroup (cgroups(7)): the process's
// cgroup in one hierarchy.
type Cgroup struct {
	// HierarchyID is the hierarchy's id: 0 for the cgroup v2 (unified)
	// hierarchy, the number in /proc/cgroups for a v1 hierarchy.
	HierarchyID int

	// Controllers are the v1 controllers bound to the hierarchy
	// ("cpu", "cpuacct"), with a named hierarchy as "name=systemd". It is
	// empty for the v2 hierarchy.
	Controllers []string

	// Path is the cgroup relative to the hierarchy's root as seen from the
	// reader's cgroup namespace ("/" for the root; a path starting with
	// "/.." when the cgroup lies outside the reader's namespace).
	Path string

	// Deleted reports that the v2 cgroup was removed while the process
	// (a zombie) still belongs to it: the kernel appended " (deleted)".
	Deleted bool
}

// Cgroups are the lines of /proc/PID/cgroup, in the kernel's order (v1
// hierarchies by descending id, then the v2 line).
type Cgroups []Cgroup

// Unified returns the path in the cgroup v2 hierarchy: the line with
// hierarchy id 0 and no controllers. ok is false on a v1-only system.
func (cs Cgroups) Unified() (path string, ok bool) {
	for _, c := range cs {
		if c.HierarchyID == 0 && len(c.Controllers) == 0 {
			return c.Path, true
		}
	}
	return "", false
}

// Controller returns the path in the v1 hierarchy that controller is bound
// to ("memory", or "name=systemd" for a named hierarchy). ok is false when
// no v1 hierarchy has it: on a pure v2 system the controllers live in the
// unified hierarchy (see Unified).
func (cs Cgroups) Controller(controller string) (path string, ok bool) {
	for _, c := range cs {
		for _, name := range c.Controllers {
			if name == controller {
				return c.Path, true
			}
		}
	}
	return "", false
}

// Cgroups reads /proc/PID/cgroup. No privilege is needed.
func (p Proc) Cgroups() (Cgroups, error) { return read(p, "cgroup", parseCgroups) }

var errCgroupLine = errors.New(`want "id:controllers:path"`)

// parseCgroups parses /proc/PID/cgroup: lines "4:memory:/user.slice" and
// "0::/init.scope". The path is everything after the second colon; the
// kernel does not escape it.
func parseCgroups(b []byte) (Cgroups, error) {
	cs := make(Cgroups, 0, bytes.Count(b, []byte{'\n'})+1)
	for n := 1; len(b) > 0; n++ {
		var line []byte
		line, b = parse.Line(b)
		if len(line) == 0 {
			continue
		}
		id, rest, ok1 := bytes.Cut(line, []byte{':'})
		ctrl, path, ok2 := bytes.Cut(rest, []byte{':'})
		if !ok1 || !ok2 {
			return nil, parseErr(n, "", fmt.Errorf("%w, got %q", errCgroupLine, line))
		}
		h, err := parse.Uint(id)
		if err != nil || h > 1<<31-1 {
			return nil, parseErr(n, "hierarchy id", fmt.Errorf("%q: %w", id, errCgroupLine))
		}
		c := Cgroup{HierarchyID: int(h)}
		if len(ctrl) > 0 {
			c.Controllers = strings.Split(string(ctrl), ",")
		}
		if h == 0 && len(ctrl) == 0 {
			path, c.Deleted = bytes.CutSuffix(path, []byte(deletedSuffix))
		}
		c.Path = string(path)
		cs = append(cs, c)
	}
	return cs, nil
}
