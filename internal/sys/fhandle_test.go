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

// A file handle of a directory opens the directory again.
func TestOpenByHandleAt(t *testing.T) {
	dir := t.TempDir()
	d, err := Open(dir, O_RDONLY|O_DIRECTORY)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var buf [abi.MAX_HANDLE_SZ]byte
	typ, n, err := NameToHandleFD(d.Int(), buf[:])
	if err != nil {
		t.Skipf("no file handles on %s: %v", dir, err)
	}
	fd, err := OpenByHandleAt(d.Int(), typ, buf[:n], O_RDONLY|O_DIRECTORY)
	if err != nil {
		if Errno(err) == unix.EPERM {
			t.Skipf("open_by_handle_at needs CAP_DAC_READ_SEARCH: %v", err)
		}
		t.Fatal(err)
	}
	defer fd.Close()
	a, err := Fstat(d.Int())
	if err != nil {
		t.Fatal(err)
	}
	b, err := Fstat(fd.Int())
	if err != nil || a.Ino != b.Ino || a.Dev != b.Dev {
		t.Errorf("reopened %+v, %v; want %+v", b, err, a)
	}
	if _, err := OpenByHandleAt(d.Int(), typ, make([]byte, abi.MAX_HANDLE_SZ+1), O_RDONLY); Errno(err) != unix.EINVAL {
		t.Errorf("oversized handle = %v, want EINVAL", err)
	}
}
