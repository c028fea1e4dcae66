package landlock

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"

	"github.com/lxgo/lx/internal/abi"
	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/internal/thread"
	"github.com/lxgo/lx/kernel"
)

// Mode says what New does with rights, scopes and flags the running
// kernel's Landlock ABI lacks.
type Mode int

const (
	// Strict refuses them: New returns a *kernel.FeatureError naming the
	// ABI version (and kernel) needed.
	Strict Mode = iota
	// BestEffort drops them, drops the rules left with no right, and
	// reports what it dropped (Ruleset.Dropped). The ruleset then
	// restricts as much as the kernel can. On a kernel without Landlock
	// everything is dropped and restricting does nothing.
	BestEffort
)

// String returns "strict" or "best-effort".
func (m Mode) String() string {
	switch m {
	case Strict:
		return "strict"
	case BestEffort:
		return "best-effort"
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// Options describes a ruleset. Handled rights are denied to a restricted
// thread except where a rule allows them; rights that are not handled stay
// allowed. At least one right or scope must be handled.
type Options struct {
	// HandledFS are the filesystem rights the ruleset denies by default.
	// ABI(n).AccessFS() is every right of ABI n.
	HandledFS AccessFS
	// HandledNet are the network rights it denies by default (ABI 4).
	HandledNet AccessNet
	// Scoped are the IPC scopes it confines to the domain (ABI 6).
	Scoped Scope
	// Paths allow filesystem rights beneath files and directories.
	Paths []PathRule
	// Ports allow network rights on TCP ports.
	Ports []PortRule
	// Flags are landlock_restrict_self(2)'s flags (ABI 7).
	Flags RestrictFlags
	// Mode is Strict (the zero value) or BestEffort.
	Mode Mode
}

// PathRule allows Access on a file, or on a directory and everything
// beneath it. Exactly one of Path and File is set: Path is opened by New
// (O_PATH|O_CLOEXEC, symbolic links followed) and closed again; File is
// used as it is and stays the caller's. A file that is not a directory
// takes only FileAccess rights.
type PathRule struct {
	Path   string
	File   *os.File
	Access AccessFS
}

// name is the rule's path for errors and Dropped.
func (p PathRule) name() string {
	if p.File != nil {
		return p.File.Name()
	}
	return p.Path
}

// PortRule allows Access on TCP port Port (0 to 65535) (ABI 4). For
// BindTCP, port 0 allows binding to a port the kernel picks.
type PortRule struct {
	Port   int
	Access AccessNet
}

// Dropped is what a BestEffort ruleset left out because the running
// kernel's ABI lacks it. The zero value means nothing was dropped.
type Dropped struct {
	FS     AccessFS
	Net    AccessNet
	Scoped Scope
	Flags  RestrictFlags
	// Paths are the path rules dropped because none of their rights
	// remained (PathRule.Path, or File's Name), in Options order.
	Paths []string
	// Ports are the port rules dropped for the same reason.
	Ports []int
}

// IsZero reports whether nothing was dropped.
func (d Dropped) IsZero() bool {
	return d.FS == 0 && d.Net == 0 && d.Scoped == 0 && d.Flags == 0 && len(d.Paths) == 0 && len(d.Ports) == 0
}

// validate checks o for errors that no kernel would accept, naming the
// input. It does not look at the running kernel.
func (o *Options) validate() error {
	if o.Mode != Strict && o.Mode != BestEffort {
		return fmt.Errorf("landlock: invalid mode %d: %w", int(o.Mode), fs.ErrInvalid)
	}
	if o.HandledFS == 0 && o.HandledNet == 0 && o.Scoped == 0 {
		return fmt.Errorf("landlock: the ruleset handles no right and no scope: %w", fs.ErrInvalid)
	}
	if u := o.HandledFS &^ MaxABI.AccessFS(); u != 0 {
		return fmt.Errorf("landlock: unknown filesystem access %s: %w", u, fs.ErrInvalid)
	}
	if u := o.HandledNet &^ MaxABI.AccessNet(); u != 0 {
		return fmt.Errorf("landlock: unknown network access %s: %w", u, fs.ErrInvalid)
	}
	if u := o.Scoped &^ MaxABI.Scopes(); u != 0 {
		return fmt.Errorf("landlock: unknown scope %s: %w", u, fs.ErrInvalid)
	}
	if u := o.Flags &^ MaxABI.RestrictFlags(); u != 0 {
		return fmt.Errorf("landlock: unknown restrict flags %s: %w", u, fs.ErrInvalid)
	}
	for _, p := range o.Paths {
		switch {
		case (p.Path == "") == (p.File == nil):
			return fmt.Errorf("landlock: path rule %q: set exactly one of Path and File: %w", p.name(), fs.ErrInvalid)
		case p.Access == 0:
			return fmt.Errorf("landlock: path rule %q allows nothing: %w", p.name(), fs.ErrInvalid)
		case p.Access&^o.HandledFS != 0:
			return fmt.Errorf("landlock: path rule %q allows %s, which the ruleset does not handle: %w", p.name(), p.Access&^o.HandledFS, fs.ErrInvalid)
		}
	}
	for _, p := range o.Ports {
		switch {
		case p.Port < 0 || p.Port > 65535:
			return fmt.Errorf("landlock: port %d out of range 0..65535: %w", p.Port, fs.ErrInvalid)
		case p.Access == 0:
			return fmt.Errorf("landlock: port rule %d allows nothing: %w", p.Port, fs.ErrInvalid)
		case p.Access&^o.HandledNet != 0:
			return fmt.Errorf("landlock: port rule %d allows %s, which the ruleset does not handle: %w", p.Port, p.Access&^o.HandledNet, fs.ErrInvalid)
		}
	}
	return nil
}

// check is Strict mode: the first thing in o that ABI v lacks, as a
// *kernel.FeatureError naming the ABI needed, or nil. o is valid.
func (o *Options) check(v ABI) error {
	for need := v + 1; need <= MaxABI; need++ {
		var what string
		switch {
		case o.HandledFS&need.AccessFS()&^v.AccessFS() != 0:
			what = (o.HandledFS & need.AccessFS() &^ v.AccessFS()).String()
		case o.HandledNet&need.AccessNet()&^v.AccessNet() != 0:
			what = (o.HandledNet & need.AccessNet() &^ v.AccessNet()).String()
		case o.Scoped&need.Scopes()&^v.Scopes() != 0:
			what = (o.Scoped & need.Scopes() &^ v.Scopes()).String()
		case o.Flags&need.RestrictFlags()&^v.RestrictFlags() != 0:
			what = (o.Flags & need.RestrictFlags() &^ v.RestrictFlags()).String()
		default:
			continue
		}
		return &kernel.FeatureError{
			Feature:   fmt.Sprintf("landlock %s (%s; the kernel has %s)", need, what, v),
			MinKernel: need.MinKernel(),
		}
	}
	return nil
}

// mask is BestEffort mode: o without what ABI v lacks, and what was
// dropped. o is valid; the result shares no slice with it.
func (o *Options) mask(v ABI) (Options, Dropped) {
	m := Options{
		HandledFS:  o.HandledFS & v.AccessFS(),
		HandledNet: o.HandledNet & v.AccessNet(),
		Scoped:     o.Scoped & v.Scopes(),
		Flags:      o.Flags & v.RestrictFlags(),
		Mode:       o.Mode,
	}
	d := Dropped{
		FS:     o.HandledFS &^ m.HandledFS,
		Net:    o.HandledNet &^ m.HandledNet,
		Scoped: o.Scoped &^ m.Scoped,
		Flags:  o.Flags &^ m.Flags,
	}
	for _, p := range o.Paths {
		p.Access &= m.HandledFS
		if p.Access == 0 {
			d.Paths = append(d.Paths, p.name())
			continue
		}
		m.Paths = append(m.Paths, p)
	}
	for _, p := range o.Ports {
		p.Access &= m.HandledNet
		if p.Access == 0 {
			d.Ports = append(d.Ports, p.Port)
			continue
		}
		m.Ports = append(m.Ports, p)
	}
	return m, d
}

// Ruleset is a Landlock ruleset (landlock_create_ruleset(2), Linux 5.13):
// the rights it handles and the rules that allow some of them. Building
// it changes nothing; restricting a thread with it (RestrictThread, Do)
// cannot be undone. It owns its fd, which is close-on-exec; Close it when
// done.
//
// A Landlock restriction belongs to one thread and is inherited by the
// children that thread creates afterwards. Linux 7.0 (ABI 8) can restrict
// every thread of a process at once (LANDLOCK_RESTRICT_SELF_TSYNC); lx
// does not offer it yet, as the kernels it is tested on are older. A Go
// program therefore restricts either a thread that then runs only what
// it is given (Do), its own locked thread (RestrictThread), or a child:
// a child started from a restricted thread is restricted, and a program
// can fork from a disposable thread restricted with the ruleset's fd
// (SyscallConn).
type Ruleset struct {
	file    *os.File // nil when BestEffort dropped everything
	flags   RestrictFlags
	abi     ABI
	dropped Dropped
}

// New builds a ruleset from opts. Every path is opened, and every port
// range-checked, before the kernel sees anything: a path that does not
// exist is an error naming it (errors.Is fs.ErrNotExist). In Strict mode
// (the default) a right, scope or flag the running kernel lacks is a
// *kernel.FeatureError (errors.Is errors.ErrUnsupported) naming the ABI
// version needed, as is a kernel without Landlock; in BestEffort mode
// they are dropped and reported by Dropped. Needs no privilege.
func New(opts *Options) (*Ruleset, error) {
	if opts == nil {
		opts = &Options{}
	}
	if err := opts.validate(); err != nil {
		return nil, err
	}
	files := make([]*os.File, len(opts.Paths))
	defer func() {
		for i, f := range files {
			if opts.Paths[i].File == nil && f != nil {
				f.Close()
			}
		}
	}()
	for i, p := range opts.Paths {
		if p.File != nil {
			files[i] = p.File
			continue
		}
		fd, err := sys.Open(p.Path, sys.O_PATH)
		if err != nil {
			return nil, fmt.Errorf("landlock: path rule: %w", err)
		}
		files[i] = fd.File(p.Path)
	}
	v, err := CurrentABI()
	switch {
	case err == nil:
	case opts.Mode == BestEffort && errors.Is(err, errors.ErrUnsupported):
		v = 0
	default:
		return nil, err
	}
	o := *opts
	// Keep each rule's opened file with it through mask.
	o.Paths = make([]PathRule, len(opts.Paths))
	for i, p := range opts.Paths {
		o.Paths[i] = PathRule{Path: p.name(), File: files[i], Access: p.Access}
	}
	r := &Ruleset{abi: v}
	if o.Mode == BestEffort {
		o, r.dropped = o.mask(v)
		if o.HandledFS == 0 && o.HandledNet == 0 && o.Scoped == 0 {
			return r, nil
		}
	} else if err := o.check(v); err != nil {
		return nil, err
	}
	r.flags = o.Flags
	fd, err := sys.LandlockCreateRuleset(&abi.LandlockRulesetAttr{
		HandledAccessFS:  uint64(o.HandledFS),
		HandledAccessNet: uint64(o.HandledNet),
		Scoped:           uint64(o.Scoped),
	})
	if err != nil {
		return nil, fmt.Errorf("landlock: create ruleset: %w", err)
	}
	r.file = fd.File("landlock-ruleset")
	if err := r.addRules(&o); err != nil {
		r.file.Close()
		return nil, err
	}
	return r, nil
}

// addRules adds o's rules to r's ruleset.
func (r *Ruleset) addRules(o *Options) error {
	conn, err := r.file.SyscallConn()
	if err != nil {
		return fmt.Errorf("landlock: add rule: %w", err)
	}
	for _, p := range o.Paths {
		pconn, err := p.File.SyscallConn()
		if err != nil {
			return fmt.Errorf("landlock: path rule %q: %w", p.Path, err)
		}
		var addErr error
		err = conn.Control(func(rfd uintptr) {
			err := pconn.Control(func(pfd uintptr) {
				addErr = sys.LandlockAddPathBeneath(int(rfd), uint64(p.Access), int(pfd))
			})
			if addErr == nil {
				addErr = err
			}
		})
		if err == nil {
			err = addErr
		}
		if err != nil {
			return fmt.Errorf("landlock: path rule %q (%s): %w", p.Path, p.Access, err)
		}
	}
	for _, p := range o.Ports {
		var addErr error
		err := conn.Control(func(rfd uintptr) {
			addErr = sys.LandlockAddNetPort(int(rfd), uint64(p.Access), uint64(p.Port))
		})
		if err == nil {
			err = addErr
		}
		if err != nil {
			return fmt.Errorf("landlock: port rule %d (%s): %w", p.Port, p.Access, err)
		}
	}
	return nil
}

// ABI is the Landlock ABI version of the kernel the ruleset was built
// for: 0 when a BestEffort ruleset found no Landlock.
func (r *Ruleset) ABI() ABI { return r.abi }

// Dropped is what BestEffort mode left out; zero in Strict mode.
func (r *Ruleset) Dropped() Dropped { return r.dropped }

// Restricts reports whether restricting with the ruleset does anything:
// false when BestEffort mode dropped every right and scope.
func (r *Ruleset) Restricts() bool { return r.file != nil }

// Close closes the ruleset's fd. Threads already restricted stay so. A
// second Close returns nil.
func (r *Ruleset) Close() error {
	if r.file == nil {
		return nil
	}
	err := r.file.Close()
	if errors.Is(err, os.ErrClosed) {
		return nil
	}
	return err
}

// SyscallConn gives access to the ruleset's fd, for code that restricts
// a thread of its own making (the forking thread of a child, say) with
// landlock_restrict_self(2). The fd stays the Ruleset's. It fails with
// fs.ErrInvalid when the ruleset restricts nothing (Restricts).
func (r *Ruleset) SyscallConn() (syscall.RawConn, error) {
	if r.file == nil {
		return nil, fmt.Errorf("landlock: the ruleset restricts nothing: %w", fs.ErrInvalid)
	}
	return r.file.SyscallConn()
}

// RestrictThread enforces the ruleset on the calling thread
// (landlock_restrict_self(2), Linux 5.13), with the ruleset's Flags. It
// first tries without no_new_privs, which the kernel allows to a thread
// with CAP_SYS_ADMIN in its user namespace; otherwise it sets the
// thread's no_new_privs (prctl PR_SET_NO_NEW_PRIVS: execve then grants no
// set-user-ID or file-capability privilege) and tries again.
//
// Affects the calling thread only, for good, and the children it creates
// afterwards. The caller must have called runtime.LockOSThread and must
// never unlock the thread: the goroutine should end still locked, so that
// the runtime discards the thread instead of running other goroutines on
// it. Goroutines the caller starts run on other, unrestricted threads. Do
// is the safe form.
func (r *Ruleset) RestrictThread() error {
	if r.file == nil {
		return nil
	}
	conn, err := r.file.SyscallConn()
	if err != nil {
		return fmt.Errorf("landlock: restrict: %w", err)
	}
	var rerr error
	// Control fails only once the file is closed, with internal/poll's
	// own error: callers test for os.ErrClosed.
	err = conn.Control(func(fd uintptr) {
		rerr = sys.LandlockRestrictSelf(int(fd), uint32(r.flags))
		if errors.Is(rerr, syscall.EPERM) {
			if rerr = sys.SetNoNewPrivs(); rerr == nil {
				rerr = sys.LandlockRestrictSelf(int(fd), uint32(r.flags))
			}
		}
	})
	if err != nil {
		err = os.ErrClosed
	} else {
		err = rerr
	}
	if err != nil {
		return fmt.Errorf("landlock: restrict: %w", err)
	}
	return nil
}

// Do runs fn on a new OS thread restricted by the ruleset, waits for it
// and returns its error. The thread is discarded afterwards, never
// reused by other goroutines. What fn does on its own goroutine is
// restricted, including children it starts (os/exec forks on the calling
// thread); goroutines fn starts run on other threads and are not. If the
// restriction fails, fn does not run.
func (r *Ruleset) Do(fn func() error) error {
	return thread.Run(func(t *thread.Thread) error {
		t.Taint()
		if err := r.RestrictThread(); err != nil {
			return err
		}
		return fn()
	})
}
