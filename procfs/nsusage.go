package procfs

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/lxgo/lx/cred"
	"github.com/lxgo/lx/ns"
)

// NamespaceUse is one namespace of the system and the processes in it: a
// row of lsns(8).
type NamespaceUse struct {
	// Type is the namespace's kind: one of the eight base types, never
	// ns.PIDForChildren or ns.TimeForChildren.
	Type ns.Type
	// Inode is the inode number of the namespace's nsfs file, as the
	// /proc/PID/ns links show it ("net:[4026531840]") and lsns prints it:
	// the Inode of the namespace's ns.ID, whose Dev is the same for every
	// namespace of the system.
	Inode uint64
	// Procs is the number of processes in the namespace: 0 for one that
	// only a bind mount or an open descriptor keeps alive (see
	// NamespaceUsageOptions.Held).
	Procs int
	// PID is the lowest process id in the namespace, 0 when Procs is 0.
	// PPID, UID, Comm and Cmdline describe that process: its parent, its
	// effective user id and its command name (from /proc/PID/status, the
	// kernel's exact bytes) and its arguments (/proc/PID/cmdline; none for
	// a kernel thread or a zombie).
	//
	// For a namespace without a process, UID is the user who created its
	// user namespace (for a user namespace, itself), as NS_GET_OWNER_UID
	// reports it.
	PID, PPID int
	UID       cred.UID
	Comm      Comm
	Cmdline   []string
	// Owner is the inode number of the user namespace that owns this one
	// (for a user namespace, its parent), and Parent, for a PID or user
	// namespace, that of its parent (ioctl_ns(2) NS_GET_USERNS and
	// NS_GET_PARENT, Linux 4.9). Each is 0 when there is none the caller
	// may see: the kernel shows only the caller's own namespace of that
	// kind and those below it (the initial user namespace has no owner,
	// the initial PID namespace no parent). Both are 0 for an FS that is
	// a directory tree rather than a procfs mount.
	Owner, Parent uint64
	// BindMounts are the mount points of the namespace's bind mounts
	// (nsfs mounts, as ip-netns(8) makes them in /run/netns) in the mount
	// namespace of the calling process: lsns's NSFS column. They are the
	// unescaped mount points of /proc/self/mountinfo, relative to the
	// caller's root directory.
	BindMounts []string
	// Err says why some of PPID, UID, Comm, Cmdline, Owner and Parent
	// could not be read (the process exited before lx got to it, or moved
	// to another namespace, or the kernel lacks the ioctls); those are
	// then zero. It is nil when all of them were read.
	Err error
}

// Command returns the command line as lsns(8) shows it in its COMMAND
// column: the arguments joined by spaces, or the command name when there
// are none (a kernel thread, a zombie). (lsns also drops the last byte
// of a command line that does not end in NUL, which only a process that
// rewrote its arguments can arrange; Command keeps it.)
func (u NamespaceUse) Command() string {
	if len(u.Cmdline) == 0 {
		return u.Comm.String()
	}
	return strings.Join(u.Cmdline, " ")
}

// NamespaceUsage is the namespaces of a system and their use by
// processes, as FS.NamespaceUsage lists them.
type NamespaceUsage struct {
	// Namespaces are in increasing inode order, lsns's order.
	Namespaces []NamespaceUse
	// Denied are the processes whose namespaces the caller may not read
	// (the /proc/PID/ns links need ptrace read access): another user's,
	// or a process of the caller's that is not dumpable or has
	// capabilities the caller lacks. They are counted nowhere, as lsns
	// leaves them out; in increasing order.
	Denied []int
}

// NamespaceUsageOptions say which namespaces FS.NamespaceUsage lists.
// nil means the defaults: every namespace some process is in, each
// process counted by its /proc/PID/ns links.
type NamespaceUsageOptions struct {
	// Types limits the listing to namespaces of these kinds (lsns -t).
	// Only the base types are kinds: ns.PIDForChildren and
	// ns.TimeForChildren are errors. Empty means all eight.
	Types []ns.Type
	// PID, when not 0, limits the listing to the namespaces process PID
	// is in (lsns -p), still with every process of each counted. A pid
	// that names no process, or whose namespaces the caller may not read,
	// is an error.
	PID int
	// Threads also counts a process in the namespaces of each of its
	// threads (/proc/PID/task/TID/ns). The /proc/PID/ns links show only
	// the thread group leader's namespaces, and a thread may be in others
	// (a Go program's ns.Do thread, a thread that called unshare(2) or
	// setns(2)); lsns never sees those. It costs a directory listing and
	// a link per namespace kind for each thread.
	Threads bool
	// Held also lists namespaces that no process is in but that something
	// else keeps alive, with Procs 0, as lsns does since util-linux 2.39
	// (bind mounts) and 2.41 (descriptors): a bind mount in the caller's
	// mount namespace, or an open descriptor of a process whose
	// descriptors the caller may list (ptrace read access). It costs a
	// link read for every open descriptor of every process. (lsns 2.41
	// also finds network namespaces kept only by a socket, through
	// pidfd_getfd(2) and SIOCGSKNS; lx does not.)
	Held bool
}

// NamespaceUsage lists the namespaces of the system and the processes in
// them, as lsns(8) does: for each namespace its kind and inode number,
// the number of processes in it, the lowest process id and that process's
// parent, user and command, the owning user namespace and the parent
// namespace, and its bind mounts.
//
// It reads the /proc/PID/ns links of every process (the thread group
// leader's namespaces; see NamespaceUsageOptions.Threads), counting
// processes, not threads, as lsns does. Then, for each namespace, it
// reads /proc/PID/status and cmdline of its lowest process and opens its
// namespace link for the NS_GET_USERNS and NS_GET_PARENT ioctls (without
// changing any thread's namespaces), and it reads /proc/self/mountinfo
// for the bind mounts. The listing describes the PID namespace of the
// procfs mount (with Default, usually the caller's): processes in the
// namespaces below it are seen with their ids in it, those in the
// namespaces above it not at all.
//
// Processes that exit during the scan are left out. Processes whose
// namespace links the caller may not read are counted nowhere and listed
// in Denied (an unprivileged caller sees its own processes); a process
// that is not a zombie always can read its own. A zombie has released
// all its namespaces but pid and user, and counts only in those (as in
// lsns). The scan is not atomic: a process that enters a namespace, or
// starts, while it runs may or may not be counted.
//
// Privilege: none; see Denied for what an unprivileged caller misses.
// The result lists namespaces by inode number, which the kernel may reuse
// once a namespace is gone.
func (fsys FS) NamespaceUsage(opts *NamespaceUsageOptions) (NamespaceUsage, error) {
	if opts == nil {
		opts = &NamespaceUsageOptions{}
	}
	types, err := usageTypes(opts.Types)
	if err != nil {
		return NamespaceUsage{}, err
	}
	s := &nsScan{fs: fsys, types: types, opts: opts, byInode: map[uint64]*nsEntry{}}
	var only map[uint64]bool
	if opts.PID != 0 {
		if only, err = s.namespacesOf(opts.PID); err != nil {
			return NamespaceUsage{}, err
		}
	}
	if err := s.scan(); err != nil {
		return NamespaceUsage{}, err
	}
	if err := s.bindMounts(); err != nil {
		return NamespaceUsage{}, err
	}
	entries := make([]*nsEntry, 0, len(s.byInode))
	for ino, e := range s.byInode {
		if only == nil || only[ino] {
			entries = append(entries, e)
		}
	}
	slices.SortFunc(entries, func(a, b *nsEntry) int { return cmp.Compare(a.use.Inode, b.use.Inode) })
	u := NamespaceUsage{Namespaces: make([]NamespaceUse, len(entries)), Denied: s.denied}
	procs := map[int]*procDetails{}
	for i, e := range entries {
		s.details(e, procs)
		u.Namespaces[i] = e.use
	}
	return u, nil
}

// baseTypes are the kinds of namespace, in the order of /proc/PID/ns.
var baseTypes = []ns.Type{ns.Cgroup, ns.IPC, ns.Mnt, ns.Net, ns.PID, ns.Time, ns.User, ns.UTS}

// usageTypes checks the kinds asked for; none means all.
func usageTypes(types []ns.Type) ([]ns.Type, error) {
	if len(types) == 0 {
		return baseTypes, nil
	}
	for _, t := range types {
		if !slices.Contains(baseTypes, t) {
			return nil, fmt.Errorf("procfs namespace usage: %v is not a kind of namespace (want one of %v): %w", t, baseTypes, fs.ErrInvalid)
		}
	}
	return types, nil
}

// nsEntry is a namespace being listed.
type nsEntry struct {
	use NamespaceUse
	// src is how to open the namespace for its relations: the link of
	// its lowest process (or of the thread that is in it), or for a
	// namespace without a process a descriptor's link or a bind mount.
	src string
}

// nsScan is the state of one NamespaceUsage call.
type nsScan struct {
	fs      FS
	types   []ns.Type
	opts    *NamespaceUsageOptions
	byInode map[uint64]*nsEntry
	denied  []int
	// held are namespaces that open descriptors refer to (with Held), by
	// inode: the kind and the descriptor's link.
	held map[uint64]heldNS
	buf  []byte // readlink buffer
}

type heldNS struct {
	typ ns.Type
	src string
}

// nsLink is one namespace a process (or one of its threads) is in.
type nsLink struct {
	typ ns.Type
	ino uint64
	tid int // the thread whose link it is, 0 for the process's
}

// linkNames are the names of the namespace links below /proc/PID,
// "ns/net", by type.
var linkNames = func() map[ns.Type]string {
	m := make(map[ns.Type]string, len(baseTypes))
	for _, t := range baseTypes {
		m[t] = "ns/" + t.String()
	}
	return m
}()

// errDenied marks a process whose namespace links the caller may not read.
var errDenied = errors.New("denied")

// links reads p's namespace links of the kinds asked for and appends
// them to l. A kind the process lacks (an older kernel, a zombie's
// released namespaces) is left out. It returns errDenied for a process
// whose links the caller may not read, and an error matching
// os.ErrProcessDone for one that has exited.
func (s *nsScan) links(p Proc, l []nsLink) ([]nsLink, error) {
	if s.buf == nil {
		s.buf = make([]byte, 64)
	}
	for _, t := range s.types {
		name := linkNames[t]
		var target []byte
		var err error
		target, s.buf, err = p.readlink(name, s.buf)
		switch {
		case errors.Is(err, os.ErrProcessDone):
			return l, err
		case errors.Is(err, fs.ErrNotExist):
			continue
		case errors.Is(err, fs.ErrPermission):
			return l, errDenied
		case err != nil:
			return l, err
		}
		typ, ino, err := parseNamespaceLink(target)
		if err != nil {
			return l, withPath(p.path(name), err)
		}
		if typ != t.String() {
			return l, withPath(p.path(name), parseErr(0, "link", fmt.Errorf("%w, of type %s, got %q", errNamespaceLink, t, target)))
		}
		l = append(l, nsLink{typ: t, ino: ino, tid: p.tid})
	}
	return l, nil
}

// namespacesOf returns the inodes of the namespaces process pid is in.
func (s *nsScan) namespacesOf(pid int) (map[uint64]bool, error) {
	p, err := s.fs.Proc(pid)
	if err != nil {
		return nil, fmt.Errorf("procfs namespace usage: %w", err)
	}
	l, err := s.links(p, nil)
	if errors.Is(err, errDenied) {
		return nil, fmt.Errorf("procfs namespace usage: process %d: %w (its namespace links need ptrace read access)", pid, fs.ErrPermission)
	}
	if err != nil {
		return nil, fmt.Errorf("procfs namespace usage: %w", err)
	}
	set := make(map[uint64]bool, len(l))
	for _, n := range l {
		set[n.ino] = true
	}
	return set, nil
}

// scan reads every process's namespaces and counts them.
func (s *nsScan) scan() error {
	var l []nsLink
	for p, err := range s.fs.Procs() {
		if err != nil {
			return fmt.Errorf("procfs namespace usage: %w", err)
		}
		var perr error
		l, perr = s.links(p, l[:0])
		if perr == nil && s.opts.Threads {
			l, perr = s.threadLinks(p, l)
		}
		switch {
		case errors.Is(perr, os.ErrProcessDone):
			continue
		case errors.Is(perr, errDenied):
			s.denied = append(s.denied, p.PID())
			continue
		case perr != nil:
			return fmt.Errorf("procfs namespace usage: %w", perr)
		}
		s.count(p.PID(), l)
		if s.opts.Held {
			if err := s.heldByFDs(p); err != nil {
				return err
			}
		}
	}
	if s.opts.Held {
		for ino, h := range s.held {
			if s.byInode[ino] == nil {
				s.byInode[ino] = &nsEntry{use: NamespaceUse{Type: h.typ, Inode: ino}, src: h.src}
			}
		}
	}
	return nil
}

// threadLinks appends the namespace links of p's threads other than its
// main thread (whose links are p's own, already in l) that l does not
// have yet. A thread that exits during the scan is left out.
func (s *nsScan) threadLinks(p Proc, l []nsLink) ([]nsLink, error) {
	var tl []nsLink
	for th, err := range p.Threads() {
		if err != nil {
			return l, err
		}
		if th.TID() == p.PID() {
			continue
		}
		var terr error
		tl, terr = s.links(th, tl[:0])
		if errors.Is(terr, fs.ErrNotExist) { // the thread is gone, the process may not be
			continue
		}
		if terr != nil {
			return l, terr
		}
		for _, n := range tl {
			if !slices.ContainsFunc(l, func(m nsLink) bool { return m.ino == n.ino }) {
				l = append(l, n)
			}
		}
	}
	return l, nil
}

// count adds process pid to each namespace of l, which are distinct.
func (s *nsScan) count(pid int, l []nsLink) {
	for _, n := range l {
		e := s.byInode[n.ino]
		if e == nil {
			e = &nsEntry{use: NamespaceUse{Type: n.typ, Inode: n.ino, PID: pid}, src: s.linkPath(pid, n)}
			s.byInode[n.ino] = e
		} else if pid < e.use.PID { // a directory tree lists processes in any order
			e.use.PID, e.src = pid, s.linkPath(pid, n)
		}
		e.use.Procs++
	}
}

// linkPath is the path of link n of process pid.
func (s *nsScan) linkPath(pid int, n nsLink) string {
	return Proc{fs: s.fs, pid: pid, tid: n.tid}.path(linkNames[n.typ])
}

// heldByFDs notes the namespaces p's open descriptors refer to.
func (s *nsScan) heldByFDs(p Proc) error {
	fds, err := p.FDs()
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) {
		return nil // exited, or its descriptors are closed to the caller
	}
	if err != nil {
		return fmt.Errorf("procfs namespace usage: %w", err)
	}
	for _, fd := range fds {
		if fd.Kind != FDNamespace {
			continue
		}
		t, err := ns.ParseType(fd.Name)
		if err != nil || !slices.Contains(s.types, t) {
			continue
		}
		if _, ok := s.held[fd.Inode]; !ok {
			if s.held == nil {
				s.held = map[uint64]heldNS{}
			}
			s.held[fd.Inode] = heldNS{typ: t, src: p.path("fd/" + strconv.Itoa(fd.Num))}
		}
	}
	return nil
}

// bindMounts reads the caller's mountinfo for nsfs mounts: each is a bind
// mount of the namespace its root names ("net:[4026532281]").
func (s *nsScan) bindMounts() error {
	for m, err := range s.fs.Self().MountInfoSeq() {
		if errors.Is(err, fs.ErrNotExist) {
			return nil // not a procfs with this process in it (a directory tree)
		}
		if err != nil {
			return fmt.Errorf("procfs namespace usage: %w", err)
		}
		if string(m.FSType) != "nsfs" {
			continue
		}
		typ, ino, err := parseNamespaceLink(m.Root)
		if err != nil {
			continue // an nsfs mount of something else
		}
		e := s.byInode[ino]
		if e == nil {
			t, err := ns.ParseType(typ)
			if !s.opts.Held || err != nil || !slices.Contains(s.types, t) {
				continue
			}
			e = &nsEntry{use: NamespaceUse{Type: t, Inode: ino}, src: string(m.MountPoint)}
			s.byInode[ino] = e
		}
		if !slices.Contains(e.use.BindMounts, string(m.MountPoint)) {
			e.use.BindMounts = append(e.use.BindMounts, string(m.MountPoint))
		}
	}
	return nil
}

// procDetails is what a namespace's lowest process contributes.
type procDetails struct {
	ppid    int
	uid     cred.UID
	comm    Comm
	cmdline []string
	err     error
}

// details fills in e's lowest process (read once per process, kept in
// procs) and e's relations.
func (s *nsScan) details(e *nsEntry, procs map[int]*procDetails) {
	var errs []error
	if pid := e.use.PID; pid != 0 {
		d := procs[pid]
		if d == nil {
			d = s.readDetails(pid)
			procs[pid] = d
		}
		e.use.PPID, e.use.UID, e.use.Comm, e.use.Cmdline = d.ppid, d.uid, d.comm, d.cmdline
		if d.err != nil {
			errs = append(errs, d.err)
		}
	}
	if s.fs.isProcfs() {
		if err := s.relations(e); err != nil {
			errs = append(errs, err)
		}
	}
	e.use.Err = errors.Join(errs...)
}

// readDetails reads the status and command line of process pid.
func (s *nsScan) readDetails(pid int) *procDetails {
	d := &procDetails{}
	p := Proc{fs: s.fs, pid: pid}
	st, err := p.Status()
	if err != nil {
		d.err = err
		return d
	}
	d.ppid, d.uid, d.comm = st.PPID, st.UID.Effective, st.Name
	d.cmdline, d.err = p.Cmdline()
	return d
}

// relations opens e's namespace and reads its owner and parent (and for
// a namespace without a process, the uid that created its user
// namespace).
func (s *nsScan) relations(e *nsEntry) error {
	h, err := ns.Open(e.src)
	if err != nil {
		return err
	}
	defer h.Close()
	id, err := h.ID()
	if err != nil {
		return err
	}
	if id.Inode != e.use.Inode {
		return fmt.Errorf("%s: the namespace is %d now, not %d (the process moved, or its pid was reused)", e.src, id.Inode, e.use.Inode)
	}
	var errs []error
	owner, err := related(h.Owner)
	if err != nil {
		errs = append(errs, err)
	}
	if owner != nil {
		defer owner.Close()
		e.use.Owner, err = handleInode(owner)
		errs = append(errs, err)
	}
	if e.use.Type == ns.PID || e.use.Type == ns.User {
		parent, err := related(h.Parent)
		errs = append(errs, err)
		if parent != nil {
			e.use.Parent, err = handleInode(parent)
			parent.Close()
			errs = append(errs, err)
		}
	}
	if e.use.PID == 0 {
		creator := h
		if e.use.Type != ns.User {
			creator = owner
		}
		if creator != nil {
			e.use.UID, err = creator.OwnerUID()
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// related calls open (Handle.Owner or Parent); a relative the caller may
// not see is no error, and no Handle.
func related(open func() (*ns.Handle, error)) (*ns.Handle, error) {
	h, err := open()
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return h, err
}

// handleInode returns h's inode number.
func handleInode(h *ns.Handle) (uint64, error) {
	id, err := h.ID()
	return id.Inode, err
}
