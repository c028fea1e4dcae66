package numa

import (
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"syscall"

	"github.com/lxgo/lx/cpuset"
	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/kernel"
)

// PageStatus is what move_pages(2) reports for one page: the node the
// page is on, or, negative, the errno saying why it has none or was not
// moved.
type PageStatus int32

// Node returns the page's node, or -1 when Err is not nil.
func (s PageStatus) Node() int {
	if s < 0 {
		return -1
	}
	return int(s)
}

// Err returns nil for a page on a node, or the kernel's errno
// (a syscall.Errno, for errors.Is): ENOENT, the page is not present
// (never touched, or swapped out; older kernels, 6.1 for one, say EFAULT
// for a page never touched, 6.12 and later ENOENT); EFAULT, the address
// is not mapped, or maps the shared zero page or a special mapping; EACCES, other processes
// map the page and only MoveOptions.All may move it; EBUSY, the page is
// busy (under I/O, pinned) and could not be moved now; ENOMEM, the
// target node has no room; EIO, EINVAL, the page cannot be moved (a
// dirty page the filesystem cannot migrate).
func (s PageStatus) Err() error {
	if s >= 0 {
		return nil
	}
	return syscall.Errno(-s)
}

// String returns the node number, or the errno's name ("ENOENT").
func (s PageStatus) String() string {
	if s >= 0 {
		return strconv.Itoa(int(s))
	}
	if n := sys.ErrnoName(syscall.Errno(-s)); n != "" {
		return n
	}
	return "errno " + strconv.Itoa(int(-s))
}

// MarshalText returns String.
func (s PageStatus) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// pages returns the number of pages of b, which starts on a page
// boundary.
func pages(b []byte) int {
	ps := os.Getpagesize()
	return (len(b) + ps - 1) / ps
}

// statusBuf returns status[:n], reusing its storage if it is large
// enough.
func statusBuf(status []PageStatus, n int) []PageStatus {
	if cap(status) >= n {
		return status[:n]
	}
	return make([]PageStatus, n)
}

// PageNodes reports where each page of b is, move_pages(2) without
// target nodes (Linux 2.6.18): entry i of the result is page i's node,
// or an error (PageStatus.Err: ENOENT for a page not present, EFAULT on
// older kernels). Unlike
// PageNode it faults nothing in. The result reuses status's storage when
// it is large enough, so a caller that passes the previous result back
// allocates nothing.
//
// b must start on a page boundary (the error names its address); its
// last page counts if b reaches into it. Reads the calling process's
// page tables; no privilege.
func PageNodes(b []byte, status []PageStatus) ([]PageStatus, error) {
	err := checkRegion(b)
	if err == nil {
		_, err = possibleNodes()
	}
	if err != nil {
		return status[:0], fmt.Errorf("numa page nodes read: %w", err)
	}
	status = statusBuf(status, pages(b))
	if _, err := sys.MovePages(b, os.Getpagesize(), nil, statusWords(status), 0); err != nil {
		return status[:0], fmt.Errorf("numa page nodes read: %w", unsupported(err))
	}
	return status, nil
}

// MoveOptions are the options of MovePages and MigratePages; nil means
// none.
type MoveOptions struct {
	// All moves pages other processes map too (MPOL_MF_MOVE_ALL):
	// CAP_SYS_NICE, or EPERM. Without it such pages stay (EACCES).
	All bool
}

// MovePages moves every page of b to node, move_pages(2) (Linux 2.6.18),
// and reports where each page is afterwards: entry i is page i's node
// (node itself once moved) or why it could not be moved (PageStatus.Err:
// ENOENT for a page not present, which is not moved and not faulted in).
// The call succeeds when the kernel tried every page; check the entries
// for the pages it could not move. The result reuses status's storage as
// PageNodes does.
//
// b must start on a page boundary (the error names its address). node
// must be possible (checked here), online and in the process's cpuset
// (the kernel: ENODEV, EACCES). Affects the calling process's memory, for
// every thread; pages that other processes map too need opts.All.
func MovePages(b []byte, node int, status []PageStatus, opts *MoveOptions) ([]PageStatus, error) {
	err := checkRegion(b)
	if err == nil {
		err = checkNodeNumber(node)
	}
	if err != nil {
		return status[:0], fmt.Errorf("numa pages move: %w", err)
	}
	status = statusBuf(status, pages(b))
	target := [1]int32{int32(node)}
	if _, err := sys.MovePages(b, os.Getpagesize(), target[:], statusWords(status), opts.flags()); err != nil {
		return status[:0], fmt.Errorf("numa pages move to node %d: %w", node, unsupported(err))
	}
	return status, nil
}

// MovePagesTo is MovePages with a target node per page: page i of b
// goes to nodes[i], and nodes must have one entry per page. Every node is
// checked against the possible nodes first (the error names the first
// that is not one).
func MovePagesTo(b []byte, nodes []int, status []PageStatus, opts *MoveOptions) ([]PageStatus, error) {
	err := checkRegion(b)
	var targets []int32
	if err == nil {
		targets, err = movePageTargets(nodes, pages(b))
	}
	if err != nil {
		return status[:0], fmt.Errorf("numa pages move: %w", err)
	}
	status = statusBuf(status, pages(b))
	if _, err := sys.MovePages(b, os.Getpagesize(), targets, statusWords(status), opts.flags()); err != nil {
		return status[:0], fmt.Errorf("numa pages move: %w", unsupported(err))
	}
	return status, nil
}

// movePageTargets checks nodes, one per page, and converts them for
// move_pages.
func movePageTargets(nodes []int, pages int) ([]int32, error) {
	if len(nodes) != pages {
		return nil, fmt.Errorf("%d target nodes for %d pages: %w", len(nodes), pages, fs.ErrInvalid)
	}
	targets := make([]int32, len(nodes))
	for i, n := range nodes {
		if err := checkNodeNumber(n); err != nil {
			return nil, err
		}
		targets[i] = int32(n)
	}
	return targets, nil
}

func (o *MoveOptions) flags() int {
	if o != nil && o.All {
		return sys.MPOL_MF_MOVE_ALL
	}
	return sys.MPOL_MF_MOVE
}

// ProcessPageNodes reports where the pages at addrs, addresses in the
// address space of process pid, are: move_pages(2) on pid without target
// nodes. Entry i of the result is the node of the page holding addrs[i],
// or why there is none (PageStatus.Err: ENOENT not present, EFAULT not
// mapped). The result reuses status's storage as PageNodes does.
//
// pid is checked (kernel.CheckPID). Reading another process's pages
// needs ptrace read access to it (PTRACE_MODE_READ_REALCREDS, Linux 4.13:
// the same user and a dumpable process, or CAP_SYS_PTRACE): EPERM
// otherwise; ESRCH when it is gone.
func ProcessPageNodes(pid int, addrs []uintptr, status []PageStatus) ([]PageStatus, error) {
	err := kernel.CheckPID(pid)
	if err == nil {
		_, err = possibleNodes()
	}
	if err != nil {
		return status[:0], fmt.Errorf("numa page nodes read: %w", err)
	}
	status = statusBuf(status, len(addrs))
	if _, err := sys.MovePagesPID(pid, addrs, nil, statusWords(status), 0); err != nil {
		return status[:0], fmt.Errorf("numa page nodes read of process %d: %w", pid, unsupported(err))
	}
	return status, nil
}

// MoveProcessPages moves the page holding addrs[i], an address in the
// address space of process pid, to nodes[i], move_pages(2), and reports
// where each page is afterwards as MovePages does. nodes must have one
// entry per address; each is checked against the possible nodes, and pid
// with kernel.CheckPID.
//
// Affects process pid's memory, for all its threads. Moving another
// process's pages needs ptrace read access to it and, for another
// user's, CAP_SYS_NICE (EPERM); opts.All needs CAP_SYS_NICE too.
func MoveProcessPages(pid int, addrs []uintptr, nodes []int, status []PageStatus, opts *MoveOptions) ([]PageStatus, error) {
	err := kernel.CheckPID(pid)
	var targets []int32
	if err == nil {
		targets, err = movePageTargets(nodes, len(addrs))
	}
	if err != nil {
		return status[:0], fmt.Errorf("numa pages move: %w", err)
	}
	status = statusBuf(status, len(addrs))
	if _, err := sys.MovePagesPID(pid, addrs, targets, statusWords(status), opts.flags()); err != nil {
		return status[:0], fmt.Errorf("numa pages move of process %d: %w", pid, unsupported(err))
	}
	return status, nil
}

// MigratePages moves the pages of process pid that are on the nodes of
// from to the nodes of to, migrate_pages(2) (Linux 2.6.16), and returns
// the number of pages it could not move. A page on the i-th node of from
// goes to the i-th node of to (with fewer nodes in to, their pattern
// repeats), as numactl's migratepages(8) does.
//
// Affects the whole process: all its memory, whichever thread touched
// it. pid is checked (kernel.CheckPID), and every node against the
// possible nodes. Moving another user's process needs CAP_SYS_NICE
// (EPERM); pages the process shares with others move only for a caller
// with CAP_SYS_NICE (the kernel then implies MPOL_MF_MOVE_ALL). to must
// lie within the target's cpuset (EINVAL otherwise).
func MigratePages(pid int, from, to cpuset.Set) (int, error) {
	if err := kernel.CheckPID(pid); err != nil {
		return 0, fmt.Errorf("numa pages migrate: %w", err)
	}
	fm, err := toMask(from)
	if err != nil {
		return 0, fmt.Errorf("numa pages migrate: from: %w", err)
	}
	tm, err := toMask(to)
	if err != nil {
		return 0, fmt.Errorf("numa pages migrate: to: %w", err)
	}
	n, err := sys.MigratePages(pid, fm.words(), tm.words())
	if err != nil {
		return 0, fmt.Errorf("numa pages migrate of process %d: %w", pid, unsupported(err))
	}
	return n, nil
}
