package procfs

import (
	"errors"
	"io/fs"
	"os"
	"testing"
)

func TestParseIO(t *testing.T) {
	var io IO
	if err := parseIO(readFixture(t, "proc-io-6.18-cat"), &io); err != nil {
		t.Fatal(err)
	}
	if io != (IO{RChar: 6976, SyscR: 10}) {
		t.Errorf("got %+v", io)
	}
	in := "rchar: 1\nwchar: 2\nsyscr: 3\nsyscw: 4\nread_bytes: 5\nwrite_bytes: 6\ncancelled_write_bytes: 7\nfuture: 8\n"
	if err := parseIO([]byte(in), &io); err != nil || io != (IO{1, 2, 3, 4, 5, 6, 7}) {
		t.Errorf("got %+v %v", io, err)
	}
	if err := parseIO([]byte("rchar: x\n"), &io); err == nil {
		t.Error("no error")
	}
}

func TestIOSelf(t *testing.T) {
	p := Default().Self()
	before, err := p.IO()
	if errors.Is(err, fs.ErrNotExist) {
		t.Skip("no CONFIG_TASK_IO_ACCOUNTING")
	}
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.ReadFile("/proc/self/stat"); err != nil {
		t.Fatal(err)
	}
	after, err := p.IO()
	if err != nil {
		t.Fatal(err)
	}
	if after.RChar <= before.RChar || after.SyscR <= before.SyscR {
		t.Errorf("before %+v after %+v", before, after)
	}
	// pid 1 belongs to root: an unprivileged reader is refused.
	if os.Geteuid() != 0 {
		if _, err := mustProc(t, Default(), 1).IO(); !errors.Is(err, fs.ErrPermission) {
			t.Errorf("io of pid 1 as uid %d: %v", os.Geteuid(), err)
		}
	}
}

func FuzzParseIO(f *testing.F) {
	f.Add(readFixture(f, "proc-io-6.18-cat"))
	f.Fuzz(func(t *testing.T, b []byte) {
		var io IO
		parseIO(b, &io)
	})
}
