package vm

import "unsafe"

// entryBytes returns the memory of dst as bytes, for reading pagemap's
// 64-bit native-endian words straight into the caller's slice.
func entryBytes(dst []Entry) []byte {
	if len(dst) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&dst[0])), len(dst)*8)
}

// kpfBytes returns the memory of dst as bytes.
func kpfBytes(dst []KPF) []byte {
	if len(dst) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&dst[0])), len(dst)*8)
}

// u64Bytes returns the memory of dst as bytes.
func u64Bytes(dst []uint64) []byte {
	if len(dst) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&dst[0])), len(dst)*8)
}
