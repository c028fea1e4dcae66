// Package vm is a process's virtual memory: mappings made with mmap(2)
// as a Region with typed protection, options and advice (madvise(2)),
// locking (mlock2(2), mlockall(2)), protection changes and msync(2); the
// page tables of a process as /proc/PID/pagemap and its PAGEMAP_SCAN
// ioctl shows them, the physical pages behind them (/proc/kpageflags,
// /proc/kpagecount) and the soft-dirty bits (/proc/PID/clear_refs); and
// another process's memory as an io.ReaderAt and io.WriterAt
// (process_vm_readv(2), process_vm_writev(2), /proc/PID/mem).
//
// Sizes and offsets are in bytes; addresses are uintptr. A Region's
// memory is not managed by the Go garbage collector: it lives until
// Close, and a slice of it used after Close faults.
//
// Huge pages: Map with MapOptions.HugePageSize maps hugetlb pages of one
// size; package hugepage reads and resizes their pools and offers the
// same allocation checked against the sizes the kernel has.
package vm

import "os"

// Pagesize returns the running kernel's base page size in bytes, from the
// auxiliary vector (AT_PAGESZ) through os.Getpagesize. It equals
// PageSize on every architecture whose kernels have one page size, and
// on the others on their standard kernels.
func Pagesize() int { return pagesize }

// pagesize is read once: every pagemap offset and alignment check
// needs it.
var pagesize = os.Getpagesize()
