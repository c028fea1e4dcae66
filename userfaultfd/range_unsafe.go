package userfaultfd

import "unsafe"

// RangeOf returns the range that b covers, checked: b must be
// page-aligned memory from mmap(2) (vm.Map, syscall.Mmap, a memfd
// mapping), never Go heap memory, which the runtime owns. The range
// stays valid only while the mapping does.
func RangeOf(b []byte) (Range, error) {
	r := Range{Start: uintptr(unsafe.Pointer(unsafe.SliceData(b))), Len: uintptr(len(b))}
	return r, r.check()
}

// addrOf returns the address of b's first byte. The caller keeps b
// reachable (it is an argument of the calling function) while the
// address is used.
func addrOf(b []byte) uint64 { return uint64(uintptr(unsafe.Pointer(unsafe.SliceData(b)))) }
