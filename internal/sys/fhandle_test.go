package sys

import (
	"encoding/binary"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/lxgo/lx/internal/abi"
)

func TestNameToHandleFDPidfs(t *testing.T) {
	fd := selfPidfd(t)
	var buf [16]byte
	typ, n, err := NameToHandleFD(fd.Int(), buf[:])
	if err != nil {
		if Errno(err) == unix.EOPNOTSUPP {
			t.Skipf("pidfs file handles need 6.13: %v", err)
		}
		t.Fatal(err)
	}
	if typ != abi.FILEID_KERNFS || n != 8 {
		t.Fatalf("handle type %d, %d bytes; want %d, 8", typ, n, abi.FILEID_KERNFS)
	}
	st, err := Fstat(fd.Int())
	if err != nil {
		t.Fatal(err)
	}
	id := binary.NativeEndian.Uint64(buf[:])
	if unsafe.Sizeof(uintptr(0)) == 8 && id != st.Ino {
		t.Errorf("handle id %d != st_ino %d", id, st.Ino)
	}
	if uint32(id) != uint32(st.Ino) {
		t.Errorf("handle id %d and st_ino %d differ in the low 32 bits", id, st.Ino)
	}
}
