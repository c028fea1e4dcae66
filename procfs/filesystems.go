package procfs

import (
	"fmt"

	"github.com/lxgo/lx/internal/parse"
)

// Filesystem is one line of /proc/filesystems: a filesystem type the
// kernel has registered (proc(5)).
type Filesystem struct {
	Name string // the type mount(2) takes: "ext4", "tmpfs", "cgroup2"
	// NoDev is true for filesystems that need no block device ("nodev"):
	// virtual and network filesystems.
	NoDev bool
}

// Filesystems reads /proc/filesystems. The list has only built-in types and
// modules already loaded: mounting an unlisted type may still work when
// the kernel can load its module (request_module). Any user can read it.
func (fs FS) Filesystems() ([]Filesystem, error) { return readFS(fs, "filesystems", parseFilesystems) }

// SupportsFilesystem reports whether /proc/filesystems lists name (for
// example "hugetlbfs" or "overlay"). Like Filesystems it does not know
// about types whose module is not loaded yet. It allocates nothing.
func (fs FS) SupportsFilesystem(name string) (bool, error) {
	var found bool
	err := fs.withFile("filesystems", false, func(b []byte) error {
		return eachFilesystem(b, func(n []byte, _ bool) bool {
			found = string(n) == name
			return !found
		})
	})
	return found, err
}

// parseFilesystems parses "nodev\tproc\n\text4\n...".
func parseFilesystems(b []byte) ([]Filesystem, error) {
	var list []Filesystem
	err := eachFilesystem(b, func(name []byte, nodev bool) bool {
		list = append(list, Filesystem{Name: string(name), NoDev: nodev})
		return true
	})
	return list, err
}

// eachFilesystem calls fn for each line until fn returns false.
func eachFilesystem(b []byte, fn func(name []byte, nodev bool) bool) error {
	for n := 1; len(b) > 0; n++ {
		var line []byte
		line, b = parse.Line(b)
		f1, rest := parse.Field(line)
		if len(f1) == 0 {
			continue
		}
		f2, rest := parse.Field(rest)
		name, nodev := f1, false
		switch {
		case len(f2) == 0:
		case string(f1) == "nodev":
			name, nodev = f2, true
		default:
			return parseErr(n, "", fmt.Errorf("unexpected %q", line))
		}
		if len(parse.Trim(rest)) != 0 {
			return parseErr(n, "", fmt.Errorf("unexpected %q", line))
		}
		if !fn(name, nodev) {
			return nil
		}
	}
	return nil
}
