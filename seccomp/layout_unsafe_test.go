package seccomp

import (
	"testing"
	"unsafe"

	"github.com/lxgo/lx/internal/abi"
	"github.com/lxgo/lx/internal/sys"
)

// TestLayout checks that Instruction is struct sock_filter and Data is
// struct seccomp_data, whose offsets Data.load follows.
func TestLayout(t *testing.T) {
	var in Instruction
	var sf sys.SockFilter
	if unsafe.Sizeof(in) != unsafe.Sizeof(sf) || unsafe.Sizeof(in) != 8 ||
		unsafe.Offsetof(in.Op) != unsafe.Offsetof(sf.Code) || unsafe.Offsetof(in.Jt) != unsafe.Offsetof(sf.Jt) ||
		unsafe.Offsetof(in.Jf) != unsafe.Offsetof(sf.Jf) || unsafe.Offsetof(in.K) != unsafe.Offsetof(sf.K) {
		t.Errorf("Instruction is not struct sock_filter")
	}
	var d Data
	var sd abi.SeccompData
	if unsafe.Sizeof(d) != unsafe.Sizeof(sd) || unsafe.Sizeof(d) != dataSize ||
		unsafe.Offsetof(d.Nr) != unsafe.Offsetof(sd.Nr) || unsafe.Offsetof(d.Arch) != unsafe.Offsetof(sd.Arch) ||
		unsafe.Offsetof(d.InstructionPointer) != unsafe.Offsetof(sd.InstructionPointer) || unsafe.Offsetof(d.Args) != unsafe.Offsetof(sd.Args) {
		t.Errorf("Data is not struct seccomp_data")
	}
	// load reads the little-endian words of the struct.
	d = Data{Nr: 1, Arch: 2, InstructionPointer: 0x0000000400000003, Args: [6]uint64{0x0000000600000005, 5: 0x000000080000000f}}
	b := unsafe.Slice((*uint32)(unsafe.Pointer(&d)), dataSize/4)
	for off := uint32(0); off < dataSize; off += 4 {
		if v, ok := d.load(off); !ok || v != b[off/4] {
			t.Errorf("load(%d) = %#x, %v; memory has %#x", off, v, ok, b[off/4])
		}
	}
}
