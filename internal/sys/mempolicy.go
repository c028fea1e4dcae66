package sys

import (
	"math/bits"
	"runtime"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// NUMA memory policy: set_mempolicy(2), get_mempolicy(2), mbind(2),
// migrate_pages(2), move_pages(2) and set_mempolicy_home_node(2), without
// libnuma. Every call fails with ENOSYS on a kernel built without
// CONFIG_NUMA.
//
// Node masks are arrays of C unsigned longs ([]uint here: the same size on
// every Linux architecture Go supports), node n being bit n%UintSize of
// word n/UintSize. The kernel's maxnode argument is one more than the
// number of bits it reads (get_nodes decrements it first), so every call
// below passes len(mask)*bits.UintSize+1 and the kernel reads exactly the
// words it was given. get_mempolicy writes its mask in 64-bit units
// (copy_nodes_to_user), so a mask for it must hold a multiple of 64 bits:
// an even number of words on 32-bit architectures.

// The MPOL_* modes, mode flags and call flags of <linux/mempolicy.h>.
const (
	MPOL_DEFAULT             = unix.MPOL_DEFAULT
	MPOL_PREFERRED           = unix.MPOL_PREFERRED
	MPOL_BIND                = unix.MPOL_BIND
	MPOL_INTERLEAVE          = unix.MPOL_INTERLEAVE
	MPOL_LOCAL               = unix.MPOL_LOCAL               // 3.8
	MPOL_PREFERRED_MANY      = unix.MPOL_PREFERRED_MANY      // 5.15
	MPOL_WEIGHTED_INTERLEAVE = unix.MPOL_WEIGHTED_INTERLEAVE // 6.9
	MPOL_F_STATIC_NODES      = unix.MPOL_F_STATIC_NODES      // mode flag (2.6.26)
	MPOL_F_RELATIVE_NODES    = unix.MPOL_F_RELATIVE_NODES    // mode flag (2.6.26)
	MPOL_F_NUMA_BALANCING    = unix.MPOL_F_NUMA_BALANCING    // mode flag (5.12)
	MPOL_F_NODE              = unix.MPOL_F_NODE              // get_mempolicy: return a node, not the mode
	MPOL_F_ADDR              = unix.MPOL_F_ADDR              // get_mempolicy: the policy (or node) of an address
	MPOL_F_MEMS_ALLOWED      = unix.MPOL_F_MEMS_ALLOWED      // get_mempolicy: the nodes the cpuset allows (2.6.24)
	MPOL_MF_STRICT           = unix.MPOL_MF_STRICT           // mbind: fail if a page is on a node outside the policy
	MPOL_MF_MOVE             = unix.MPOL_MF_MOVE             // mbind, move_pages: move pages only this process maps
	MPOL_MF_MOVE_ALL         = unix.MPOL_MF_MOVE_ALL         // mbind, move_pages: move shared pages too (CAP_SYS_NICE)

	mempolicyMaxBits       = 4096 * 8 // get_nodes: maxnode above PAGE_SIZE*8 is EINVAL
	mempolicyProbeMaskBits = 64       // the probes use a node below 64
)

// MovePagesChunk is the number of pages MovePages passes to one
// move_pages(2) call: its address array lives on the stack.
const MovePagesChunk = 256

// maxnode returns the maxnode argument for mask: one more than its bits.
// An empty mask must be passed as a nil pointer (see ptr), with which
// the kernel ignores maxnode.
func maxnode(mask []uint) uintptr {
	if len(mask) == 0 {
		return 0
	}
	return uintptr(len(mask)*bits.UintSize + 1)
}

// ptr returns the slice, or nil for an empty one, so that
// unsafe.SliceData gives a nil pointer for it.
func ptr[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return s
}

// maskLenOK reports whether mask is small enough for get_nodes.
func maskLenOK(mask []uint) bool { return len(mask)*bits.UintSize <= mempolicyMaxBits }

// mpolCall runs one call of the family until it is not interrupted.
// call must make the system call with syscall.Syscall6 itself, every
// pointer converted to uintptr in that call's argument list: the
// compiler then keeps the memory alive and in place for the call
// (syscall.Syscall6 is go:uintptrkeepalive and nosplit), without moving
// it to the heap.
func mpolCall(name string, call func() (uintptr, syscall.Errno)) (uintptr, error) {
	for {
		r, e := call()
		if e == unix.EINTR {
			continue
		}
		if e != 0 {
			return r, wrap(name, e)
		}
		return r, nil
	}
}

// pinHeap keeps a caller's memory off the goroutine stack: its argument,
// a pointer converted to uintptr in the call expression, escapes
// (go:uintptrescapes), so the compiler allocates what it points to on the
// heap, where it does not move. MovePages needs that: it computes page
// addresses from b before the call.
//
//go:uintptrescapes
//go:noinline
func pinHeap(uintptr) {}

// SetMempolicy sets the calling thread's memory policy, set_mempolicy(2)
// (Linux 2.6.7): mode is MPOL_* with the MPOL_F_* mode flags or'ed in.
// Affects the calling thread only.
func SetMempolicy(mode int, mask []uint) error {
	if !maskLenOK(mask) {
		return wrap("set_mempolicy", unix.EINVAL)
	}
	mask = ptr(mask)
	_, err := mpolCall("set_mempolicy", func() (uintptr, syscall.Errno) {
		r, _, e := syscall.Syscall6(unix.SYS_SET_MEMPOLICY, uintptr(mode),
			uintptr(unsafe.Pointer(unsafe.SliceData(mask))), maxnode(mask), 0, 0, 0)
		return r, e
	})
	return err
}

// GetMempolicy is get_mempolicy(2) (Linux 2.6.7) for the calling thread:
// flags is 0 (the thread's policy: the mode with its MPOL_F_* mode flags
// and the mask), MPOL_F_MEMS_ALLOWED (the nodes the thread may use, into
// mask) or MPOL_F_NODE (the next node of an interleave policy). mask,
// which may be nil, must hold a multiple of 64 bits and at least the
// kernel's nr_node_ids bits (EINVAL otherwise).
func GetMempolicy(mask []uint, flags int) (int, error) {
	var mode int32
	mask = ptr(mask)
	_, err := mpolCall("get_mempolicy", func() (uintptr, syscall.Errno) {
		r, _, e := syscall.Syscall6(unix.SYS_GET_MEMPOLICY, uintptr(unsafe.Pointer(&mode)),
			uintptr(unsafe.Pointer(unsafe.SliceData(mask))), maxnode(mask), 0, uintptr(flags), 0)
		return r, e
	})
	return int(mode), err
}

// GetMempolicyAddr is get_mempolicy(2) with MPOL_F_ADDR for the page
// holding b[0]: the policy of its mapping (flags 0) or, with MPOL_F_NODE,
// the node the page is on, read-faulting it in if it is not present. An
// empty b is EINVAL.
func GetMempolicyAddr(b []byte, mask []uint, flags int) (int, error) {
	if len(b) == 0 {
		return 0, wrap("get_mempolicy", unix.EINVAL)
	}
	var mode int32
	mask = ptr(mask)
	_, err := mpolCall("get_mempolicy", func() (uintptr, syscall.Errno) {
		r, _, e := syscall.Syscall6(unix.SYS_GET_MEMPOLICY, uintptr(unsafe.Pointer(&mode)),
			uintptr(unsafe.Pointer(unsafe.SliceData(mask))), maxnode(mask),
			uintptr(unsafe.Pointer(&b[0])), uintptr(flags|MPOL_F_ADDR), 0)
		return r, e
	})
	return int(mode), err
}

// Mbind sets the memory policy of the pages of b, mbind(2) (Linux 2.6.7):
// mode with its mode flags, flags MPOL_MF_*. b must start on a page
// boundary (EINVAL); the kernel rounds its length up to whole pages.
// Affects the mapping, for every thread of the process.
func Mbind(b []byte, mode int, mask []uint, flags int) error {
	if len(b) == 0 || !maskLenOK(mask) {
		return wrap("mbind", unix.EINVAL)
	}
	mask = ptr(mask)
	_, err := mpolCall("mbind", func() (uintptr, syscall.Errno) {
		r, _, e := syscall.Syscall6(unix.SYS_MBIND, uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)), uintptr(mode),
			uintptr(unsafe.Pointer(unsafe.SliceData(mask))), maxnode(mask), uintptr(flags))
		return r, e
	})
	return err
}

// SetMempolicyHomeNode sets the home node of the MPOL_BIND and
// MPOL_PREFERRED_MANY policies of the pages of b,
// set_mempolicy_home_node(2) (Linux 5.17). EOPNOTSUPP: part of b has
// another policy; ENOENT: no part of b has a policy.
func SetMempolicyHomeNode(b []byte, node int) error {
	if len(b) == 0 {
		return wrap("set_mempolicy_home_node", unix.EINVAL)
	}
	_, err := mpolCall("set_mempolicy_home_node", func() (uintptr, syscall.Errno) {
		r, _, e := syscall.Syscall6(unix.SYS_SET_MEMPOLICY_HOME_NODE,
			uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)), uintptr(node), 0, 0, 0)
		return r, e
	})
	return err
}

// MigratePages moves the pages of process pid (0 for the caller) that
// are on the nodes of from to the nodes of to, migrate_pages(2) (Linux
// 2.6.16), and returns the number of pages it could not move. from and
// to must have the same length.
func MigratePages(pid int, from, to []uint) (int, error) {
	if len(from) != len(to) || !maskLenOK(from) {
		return 0, wrap("migrate_pages", unix.EINVAL)
	}
	from, to = ptr(from), ptr(to)
	n, err := mpolCall("migrate_pages", func() (uintptr, syscall.Errno) {
		r, _, e := syscall.Syscall6(unix.SYS_MIGRATE_PAGES, uintptr(pid), maxnode(from),
			uintptr(unsafe.Pointer(unsafe.SliceData(from))), uintptr(unsafe.Pointer(unsafe.SliceData(to))), 0, 0)
		return r, e
	})
	return int(n), err
}

// MovePages is move_pages(2) (Linux 2.6.18) for the pages of b, one page
// of pageSize bytes after another from b's start, in calls of at most
// MovePagesChunk pages: with nodes nil it writes the node of each page
// into status (or a negative errno: -ENOENT not present, -EFAULT not
// mapped or the zero page); with nodes it moves page i to node nodes[i]
// (nodes of length 1: every page to nodes[0]) and writes where each page
// ended up. status must hold one entry per page. It returns the number of
// pages the kernel did not move. Affects the calling process's memory.
func MovePages(b []byte, pageSize int, nodes []int32, status []int32, flags int) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	pinHeap(uintptr(unsafe.Pointer(&b[0])))
	base := uintptr(unsafe.Pointer(&b[0]))
	n, err := movePages(0, func(i int) uintptr { return base + uintptr(i*pageSize) }, nodes, status, flags)
	runtime.KeepAlive(b)
	return n, err
}

// MovePagesPID is MovePages for addresses in process pid's address space.
func MovePagesPID(pid int, addrs []uintptr, nodes []int32, status []int32, flags int) (int, error) {
	return movePages(pid, func(i int) uintptr { return addrs[i] }, nodes, status, flags)
}

func movePages(pid int, addr func(i int) uintptr, nodes []int32, status []int32, flags int) (int, error) {
	var pages [MovePagesChunk]uintptr
	var chunkNodes [MovePagesChunk]int32
	notMoved := 0
	for done := 0; done < len(status); {
		n := min(len(status)-done, MovePagesChunk)
		for i := range n {
			pages[i] = addr(done + i)
		}
		var np unsafe.Pointer
		if nodes != nil {
			for i := range n {
				if len(nodes) == 1 {
					chunkNodes[i] = nodes[0]
				} else {
					chunkNodes[i] = nodes[done+i]
				}
			}
			np = unsafe.Pointer(&chunkNodes[0])
		}
		r, _, e := syscall.Syscall6(unix.SYS_MOVE_PAGES, uintptr(pid), uintptr(n),
			uintptr(unsafe.Pointer(&pages[0])), uintptr(np), uintptr(unsafe.Pointer(&status[done])), uintptr(flags))
		if e == unix.EINTR {
			continue
		}
		if e != 0 {
			return notMoved, wrap("move_pages", e)
		}
		notMoved += int(r)
		done += n
	}
	return notMoved, nil
}

// ProbeMempolicy asks for the calling thread's policy with
// get_mempolicy(2), which changes nothing: ENOSYS without CONFIG_NUMA.
func ProbeMempolicy() error {
	_, err := GetMempolicy(nil, 0)
	return err
}

// ProbeMempolicyMode binds a page of a new private anonymous mapping,
// unmapped afterwards, with mbind(2) to mode on the first node the
// calling thread may use: EINVAL when the kernel does not know the mode.
func ProbeMempolicyMode(mode int) error {
	return withProbePage(func(page []byte, node int) error {
		var mask [mempolicyProbeMaskBits / bits.UintSize]uint
		mask[node/bits.UintSize] |= 1 << (node % bits.UintSize)
		return Mbind(page, mode, mask[:], 0)
	})
}

// ProbeMempolicyHomeNode calls set_mempolicy_home_node(2) (Linux 5.17)
// on a page of a new private anonymous mapping, unmapped afterwards,
// bound first with MPOL_BIND to the first node the thread may use.
func ProbeMempolicyHomeNode() error {
	return withProbePage(func(page []byte, node int) error {
		var mask [mempolicyProbeMaskBits / bits.UintSize]uint
		mask[node/bits.UintSize] |= 1 << (node % bits.UintSize)
		if err := Mbind(page, unix.MPOL_BIND, mask[:], 0); err != nil {
			// Not the interface under test: a failure here says
			// nothing about set_mempolicy_home_node.
			return wrap("mbind", unix.EPERM)
		}
		return SetMempolicyHomeNode(page, node)
	})
}

// withProbePage maps one anonymous page and calls fn with it and the
// lowest node of MPOL_F_MEMS_ALLOWED (below 64, or the probe says
// EPERM: inconclusive, which never happens on real machines).
func withProbePage(fn func(page []byte, node int) error) error {
	var mask [mempolicyMaxBits / bits.UintSize]uint
	if _, err := GetMempolicy(mask[:], MPOL_F_MEMS_ALLOWED); err != nil {
		return err
	}
	node := -1
	for i := 0; i < mempolicyProbeMaskBits; i++ {
		if mask[i/bits.UintSize]&(1<<(i%bits.UintSize)) != 0 {
			node = i
			break
		}
	}
	if node < 0 {
		return wrap("get_mempolicy", unix.EPERM)
	}
	page, err := unix.Mmap(-1, 0, unix.Getpagesize(), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		return wrap("mmap", err)
	}
	defer unix.Munmap(page)
	return fn(page, node)
}

// ErrnoName returns the symbolic name of e, "ENOENT", or "" if x/sys
// has none.
func ErrnoName(e syscall.Errno) string { return unix.ErrnoName(e) }
