package numa

import "unsafe"

// addrOf returns the address of b's first byte, for messages and
// alignment checks; b is not empty.
func addrOf(b []byte) uintptr { return uintptr(unsafe.Pointer(unsafe.SliceData(b))) }

// statusWords views a []PageStatus as the []int32 move_pages(2) fills:
// PageStatus is an int32.
func statusWords(s []PageStatus) []int32 {
	return unsafe.Slice((*int32)(unsafe.Pointer(unsafe.SliceData(s))), len(s))
}
