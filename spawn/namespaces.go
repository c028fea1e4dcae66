package spawn

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"syscall"

	"github.com/lxgo/lx/internal/feature"
	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/internal/thread"
	"github.com/lxgo/lx/kernel"
	"github.com/lxgo/lx/ns"
	"github.com/lxgo/lx/pidfd"
)

// allNamespaces are the CLONE_NEW* flags.
const allNamespaces = ns.CloneNewTime | ns.CloneNewNS | ns.CloneNewCgroup | ns.CloneNewUTS |
	ns.CloneNewIPC | ns.CloneNewUser | ns.CloneNewPID | ns.CloneNewNet

// joinedHandle is a namespace to setns(2) into, with its kind.
type joinedHandle struct {
	h    *ns.Handle
	t    ns.Type
	name string
}

// prepareJoin checks Join and JoinProcess and adds the thread step that
// joins them.
func (p *plan) prepareJoin(c *Command) error {
	var joined ns.CloneFlags
	var handles []joinedHandle
	add := func(h *ns.Handle, name string) error {
		t, err := h.Type()
		if err != nil {
			return fmt.Errorf("join %s: %w", name, err)
		}
		if err := ns.Joinable(t); err != nil {
			return fmt.Errorf("join %s, a %v namespace: %w", name, t, err)
		}
		if joined&t.CloneFlag() != 0 {
			return fmt.Errorf("join %s: a second %v namespace: %w", name, t.Base(), fs.ErrInvalid)
		}
		joined |= t.CloneFlag()
		handles = append(handles, joinedHandle{h, t.Base(), name})
		return nil
	}
	for i, h := range c.Join {
		if h == nil {
			return fmt.Errorf("join: Join[%d] is nil: %w", i, fs.ErrInvalid)
		}
		if err := add(h, fmt.Sprintf("Join[%d]", i)); err != nil {
			return err
		}
	}
	var proc ns.PidFD
	var procFlags ns.CloneFlags
	if jp := c.JoinProcess; jp != nil {
		procFlags = jp.Namespaces
		switch {
		case procFlags == 0 || procFlags&^allNamespaces != 0:
			return fmt.Errorf("join process: invalid namespace flags %v: %w", procFlags, fs.ErrInvalid)
		case procFlags&ns.CloneNewUser != 0:
			return fmt.Errorf("join process: %w", &ns.MultithreadedError{Type: ns.User})
		case procFlags&ns.CloneNewTime != 0:
			return fmt.Errorf("join process: %w", &ns.MultithreadedError{Type: ns.Time})
		case procFlags&joined != 0:
			return fmt.Errorf("join process: %v also given in Join: %w", procFlags&joined, fs.ErrInvalid)
		}
		proc = jp.PidFD
		if proc == nil {
			if err := kernel.CheckPID(jp.PID); err != nil {
				return fmt.Errorf("join process: %w", err)
			}
			fd, err := pidfd.Open(jp.PID, nil)
			if err != nil {
				return fmt.Errorf("join process: %w", err)
			}
			p.closers = append(p.closers, fd)
			proc = fd
		}
		if err := feature.SetnsPidfd.Check(); errors.Is(err, errors.ErrUnsupported) {
			// Before 5.8: one handle per namespace.
			for _, typ := range ns.Types() {
				if typ.Base() != typ || procFlags&typ.CloneFlag() == 0 {
					continue
				}
				h, err := ns.OpenPidFD(proc, typ)
				if err != nil {
					return fmt.Errorf("join process: %w", err)
				}
				p.closers = append(p.closers, h)
				if err := add(h, "process's "+typ.String()); err != nil {
					return err
				}
			}
			proc, procFlags = nil, 0
		}
	}
	p.joined = joined | procFlags
	if p.joined == 0 {
		return nil
	}
	p.taint = true
	p.thread = append(p.thread, threadStep{StepJoin, func(*thread.Thread) error {
		return join(handles, proc, procFlags, p.joined&ns.CloneNewNS != 0)
	}})
	return nil
}

// join is the thread step of prepareJoin.
func join(handles []joinedHandle, proc ns.PidFD, procFlags ns.CloneFlags, mnt bool) error {
	if mnt {
		// setns(2) into a mount namespace needs a thread that does
		// not share its root and working directory.
		if err := sys.Unshare(sys.CLONE_FS); err != nil {
			return fmt.Errorf("leave the shared root and working directory: %w", err)
		}
	}
	if proc != nil {
		if err := sys.Control(proc, func(fd int) error { return sys.Setns(fd, int(procFlags)) }); err != nil {
			if sys.Errno(err) == sys.ESRCH {
				err = fmt.Errorf("%w (%w)", os.ErrProcessDone, err)
			}
			return fmt.Errorf("%v of the process: %w", procFlags, err)
		}
	}
	for _, j := range handles {
		if err := sys.Control(j.h, func(fd int) error { return sys.Setns(fd, int(j.t.CloneFlag())) }); err != nil {
			return fmt.Errorf("%s, a %v namespace: %w", j.name, j.t, err)
		}
	}
	return nil
}

// maxHostname is the longest host name, __NEW_UTS_LEN.
const maxHostname = 64

// prepareNamespaces checks NewNamespaces and what configures them, and
// sets the clone flags and id maps or the thread steps that create them.
func (p *plan) prepareNamespaces(c *Command) error {
	flags := c.NewNamespaces
	switch {
	case flags&^allNamespaces != 0:
		return fmt.Errorf("new namespaces: unknown flags %v: %w", flags&^allNamespaces, fs.ErrInvalid)
	case flags&p.joined != 0:
		return fmt.Errorf("new namespaces: %v also joined: %w", flags&p.joined, fs.ErrInvalid)
	}
	if flags&ns.CloneNewUser == 0 && (len(c.UIDMap) > 0 || len(c.GIDMap) > 0 || c.Setgroups != 0) {
		return fmt.Errorf("id maps or a setgroups policy without a new user namespace: %w", fs.ErrInvalid)
	}
	uids, err := idMappings("uid map", c.UIDMap)
	if err != nil {
		return err
	}
	gids, err := idMappings("gid map", c.GIDMap)
	if err != nil {
		return err
	}
	switch c.Setgroups {
	case 0, ns.SetgroupsDeny, ns.SetgroupsAllow:
	default:
		return fmt.Errorf("invalid setgroups policy %v: %w", c.Setgroups, fs.ErrInvalid)
	}
	p.attr.UidMappings, p.attr.GidMappings = uids, gids
	p.attr.GidMappingsEnableSetgroups = c.Setgroups == ns.SetgroupsAllow

	if o := c.TimeOffsets; o != nil {
		if flags&ns.CloneNewTime == 0 {
			return fmt.Errorf("time offsets without a new time namespace: %w", fs.ErrInvalid)
		}
		flags &^= ns.CloneNewTime
		offsets := *o
		p.taint, p.timeOffsets = true, true
		p.thread = append(p.thread, threadStep{StepTimeNamespace, func(t *thread.Thread) error {
			if err := sys.Unshare(sys.CLONE_NEWTIME); err != nil {
				return err
			}
			return ns.SetTimeOffsets(t.TID(), offsets)
		}})
	}
	if name := c.Hostname; name != "" {
		switch {
		case flags&ns.CloneNewUTS == 0:
			return fmt.Errorf("host name without a new UTS namespace: %w", fs.ErrInvalid)
		case len(name) > maxHostname:
			return fmt.Errorf("host name of %d bytes, at most %d allowed: %w", len(name), maxHostname, fs.ErrInvalid)
		}
		if err := checkString("host name", name); err != nil {
			return err
		}
		flags &^= ns.CloneNewUTS
		p.taint = true
		p.thread = append(p.thread, threadStep{StepHostname, func(*thread.Thread) error {
			if err := sys.Unshare(sys.CLONE_NEWUTS); err != nil {
				return err
			}
			return sys.Sethostname(name)
		}})
	}
	p.attr.Cloneflags = uintptr(flags)
	return nil
}

// idMappings converts a valid map to the standard library's form, whose
// fields are ints: on a 32-bit architecture an id above 2^31-1 does not
// fit, and is refused rather than wrapped.
func idMappings(what string, m ns.IDMap) ([]syscall.SysProcIDMap, error) {
	if len(m) == 0 {
		return nil, nil
	}
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	out := make([]syscall.SysProcIDMap, len(m))
	for i, e := range m {
		for _, v := range [...]uint32{e.Inside, e.Outside, e.Count} {
			if uint64(v) > math.MaxInt {
				return nil, fmt.Errorf("%s line %d: %d does not fit in syscall.SysProcIDMap on this %d-bit architecture: %w",
					what, i+1, v, 32<<(^uint(0)>>63), fs.ErrInvalid)
			}
		}
		out[i] = syscall.SysProcIDMap{ContainerID: int(e.Inside), HostID: int(e.Outside), Size: int(e.Count)}
	}
	return out, nil
}
