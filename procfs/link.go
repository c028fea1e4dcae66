package procfs

import (
	"errors"
	"io/fs"
	"os"
	"strings"

	"github.com/lxgo/lx/internal/sys"
)

// Link is the target of one of a process's magic links: /proc/PID/exe,
// cwd or root (proc(5)). The kernel prints the path as seen from the
// reader's root directory, and appends " (deleted)" when the file was
// unlinked.
type Link struct {
	// Target is what readlink(2) returns: the exact bytes, " (deleted)"
	// included when the kernel appended it. It may hold any byte but NUL
	// (newlines, invalid UTF-8).
	Target string
	// Deleted reports that the file no longer has a name: Target ends in
	// " (deleted)" and the file it leads to has no links left (st_nlink
	// 0), so the suffix is the kernel's and not part of a name. A file
	// whose own name ends in " (deleted)" reads as not deleted; so does an
	// unlinked file that still has another hard link, which the kernel
	// cannot tell apart from it.
	Deleted bool
}

// Path returns Target without the " (deleted)" the kernel appended when
// Deleted; otherwise Target.
func (l Link) Path() string {
	if l.Deleted {
		return strings.TrimSuffix(l.Target, deletedSuffix)
	}
	return l.Target
}

// String returns Target.
func (l Link) String() string { return l.Target }

// Exe reads /proc/PID/exe: the executable the process runs. It needs
// ptrace read access (PTRACE_MODE_READ_FSCREDS: the same user, or
// CAP_SYS_PTRACE); without it the error matches fs.ErrPermission. A
// kernel thread and a zombie have none: the result is the zero Link and
// no error.
func (p Proc) Exe() (Link, error) { return p.link("exe") }

// Cwd reads /proc/PID/cwd: the process's current directory (for a thread,
// the thread's). Access as for Exe; a zombie has none (the zero Link).
func (p Proc) Cwd() (Link, error) { return p.link("cwd") }

// Root reads /proc/PID/root: the process's root directory ("/" unless it
// called chroot(2) or pivot_root(2), or runs in a container whose root is
// elsewhere in the reader's view). Access as for Exe; a zombie has none
// (the zero Link). To read the files of the system the process sees, use
// NewFS with Dir()+"/root".
func (p Proc) Root() (Link, error) { return p.link("root") }

// link reads the magic link name and, when its target carries the
// " (deleted)" suffix, stats the file it leads to, to tell an unlinked
// file from a name that ends in the suffix.
func (p Proc) link(name string) (Link, error) {
	target, _, err := p.readlink(name, make([]byte, 256))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) && !errors.Is(err, os.ErrProcessDone) {
			return Link{}, nil // the process has none: a kernel thread, a zombie
		}
		return Link{}, err
	}
	l := Link{Target: string(target)}
	if !strings.HasSuffix(l.Target, deletedSuffix) {
		return l, nil
	}
	dirfd, path, err := p.at(name)
	if err != nil {
		return Link{}, err
	}
	st, err := sys.Fstatat(dirfd, path, 0) // follows the link to the file itself
	p.keepAlive()
	switch {
	case err == nil:
		l.Deleted = st.Nlink == 0
	case sys.Errno(err) == sys.ENOENT && p.alive():
		// Not procfs (a testdata tree): the link names no file at all.
		l.Deleted = true
	default:
		return Link{}, p.ioError(name, err)
	}
	return l, nil
}
