package hugepage

import (
	"fmt"
	"io/fs"
	"math/bits"
	"os"
	"strconv"

	"github.com/lxgo/lx/procfs"
)

// Grant is the outcome of a pool change: what was asked and what the
// kernel made of it, read back from the pool after the write.
type Grant struct {
	Size  uint64 // page size in bytes
	Node  int    // the NUMA node, or -1 for the global pool
	Asked uint64 // persistent pages asked for
	Got   uint64 // persistent pages the pool has now
}

// PartialError says that the kernel resized a pool to fewer (or, when
// shrinking a pool whose pages are in use, more) persistent pages than
// asked: growing needs free, contiguous physical memory, which
// fragmentation or other users may deny. The pool keeps what the kernel
// gave; Grant says how much.
type PartialError struct {
	Grant Grant
}

func (e *PartialError) Error() string {
	where := "the global pool"
	if e.Grant.Node >= 0 {
		where = "node " + strconv.Itoa(e.Grant.Node) + "'s pool"
	}
	return "hugepage " + FormatSize(e.Grant.Size) + ": " + where + " has " + strconv.FormatUint(e.Grant.Got, 10) +
		" persistent pages, " + strconv.FormatUint(e.Grant.Asked, 10) + " asked"
}

// SetPages resizes the persistent pool of huge pages of size to count
// pages by writing nr_hugepages of /sys/kernel/mm/hugepages/
// hugepages-<size>kB (root, or CAP_SYS_ADMIN over the host's sysfs),
// and returns what the kernel granted. Growing a pool takes free
// physical memory, spread over the nodes the caller's memory policy
// allows; shrinking frees free pages and turns pages in use into
// surplus. When the pool ends up with another size than count, the
// Grant comes with a *PartialError. A size the kernel lacks is a
// *SizeError; a request for more memory than the machine has
// (count*size above MemTotal) is refused before anything is written.
// The change is system-wide and lasts until the next change or reboot.
func SetPages(size, count uint64) (Grant, error) { return Default().SetPages(size, count) }

// SetPages is the package-level SetPages for this FS.
func (fs FS) SetPages(size, count uint64) (Grant, error) {
	return fs.setPages(-1, size, count)
}

// SetNodePages is SetPages for the part of the pool on one NUMA node:
// /sys/devices/system/node/nodeN/hugepages/hugepages-<size>kB/
// nr_hugepages (Linux 2.6.33). Pages are allocated on that node only. A
// node that is not possible is a *kernel.RangeError naming it.
func SetNodePages(node int, size, count uint64) (Grant, error) {
	return Default().SetNodePages(node, size, count)
}

// SetNodePages is the package-level SetNodePages for this FS.
func (fs FS) SetNodePages(node int, size, count uint64) (Grant, error) {
	if node < 0 {
		// checkNode names it; -1 must not mean the global pool here.
		return Grant{Size: size, Node: node, Asked: count}, fmt.Errorf("hugepage pool set: %w", fs.checkNode(node))
	}
	return fs.setPages(node, size, count)
}

// SetOvercommit sets how many surplus pages of size the kernel may
// allocate on demand beyond the persistent pool (nr_overcommit_hugepages;
// root). Surplus pages are freed again when no longer used.
func SetOvercommit(size, count uint64) error { return Default().SetOvercommit(size, count) }

// SetOvercommit is the package-level SetOvercommit for this FS.
func (fs FS) SetOvercommit(size, count uint64) error {
	if err := fs.checkSize(size); err != nil {
		return fmt.Errorf("hugepage overcommit set: %w", err)
	}
	if err := fs.checkMemory(size, count); err != nil {
		return fmt.Errorf("hugepage overcommit set: %w", err)
	}
	path := fs.fs.SysPath("kernel", "mm", "hugepages", dirName(size), "nr_overcommit_hugepages")
	if err := writeCount(path, count); err != nil {
		return fmt.Errorf("hugepage overcommit set: %w", err)
	}
	return nil
}

func (fs FS) setPages(node int, size, count uint64) (Grant, error) {
	g := Grant{Size: size, Node: node, Asked: count}
	if err := fs.checkSize(size); err != nil {
		return g, fmt.Errorf("hugepage pool set: %w", err)
	}
	if node >= 0 {
		if err := fs.checkNode(node); err != nil {
			return g, fmt.Errorf("hugepage pool set: %w", err)
		}
	}
	if err := fs.checkMemory(size, count); err != nil {
		return g, fmt.Errorf("hugepage pool set: %w", err)
	}
	dir := fs.fs.SysPath("kernel", "mm", "hugepages", dirName(size))
	if node >= 0 {
		dir = fs.nodeDir(node) + "/" + dirName(size)
	}
	if err := writeCount(dir+"/nr_hugepages", count); err != nil {
		return g, fmt.Errorf("hugepage pool set: %w", err)
	}
	// What the kernel did: the persistent pages now (nr_hugepages counts
	// surplus pages too).
	var total, surplus uint64
	var err error
	if node >= 0 {
		var p NodePool
		p, err = readNodePool(dir, node, size)
		total, surplus = p.Total, p.Surplus
	} else {
		var p Pool
		p, err = readPool(dir, size)
		total, surplus = p.Total, p.Surplus
	}
	if err != nil {
		return g, fmt.Errorf("hugepage pool read back: %w", err)
	}
	g.Got = Pool{Total: total, Surplus: surplus}.Persistent()
	return g, g.check()
}

// check returns a *PartialError unless the kernel gave what was asked.
func (g Grant) check() error {
	if g.Got != g.Asked {
		return &PartialError{Grant: g}
	}
	return nil
}

// checkMemory refuses a pool larger than the machine's memory before the
// kernel spends seconds trying (MemTotal of /proc/meminfo).
func (fsys FS) checkMemory(size, count uint64) error {
	hi, bytes := bits.Mul64(size, count)
	pfs, err := procfs.NewFS(fsys.fs.Root)
	if err != nil {
		return err
	}
	m, err := pfs.Meminfo()
	if err != nil {
		return err
	}
	if hi != 0 || bytes > m.MemTotal {
		return fmt.Errorf("invalid count %d of %s huge pages: more than the machine's memory (MemTotal %d bytes holds %d): %w",
			count, FormatSize(size), m.MemTotal, m.MemTotal/size, fs.ErrInvalid)
	}
	return nil
}

// dirName is the directory of a size, "hugepages-2048kB".
func dirName(size uint64) string {
	return "hugepages-" + strconv.FormatUint(size>>10, 10) + "kB"
}

// writeCount writes a decimal count to a sysfs file.
func writeCount(path string, n uint64) error {
	return writeText(path, strconv.FormatUint(n, 10))
}

// writeText writes s to an existing sysfs file in one write(2), as the
// kernel's store functions expect.
func writeText(path, s string) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	_, err = f.WriteString(s)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
