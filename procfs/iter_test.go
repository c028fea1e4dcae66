package procfs

import (
	"encoding/binary"
	"os"
	"slices"
	"strconv"
	"testing"
)

func TestProcsLive(t *testing.T) {
	readDir := func() map[int]bool {
		entries, err := os.ReadDir("/proc")
		if err != nil {
			t.Fatal(err)
		}
		m := map[int]bool{}
		for _, e := range entries {
			if n, err := strconv.Atoi(e.Name()); err == nil {
				m[n] = true
			}
		}
		return m
	}
	before := readDir()
	var pids []int
	for p, err := range Default().Procs() {
		if err != nil {
			t.Fatal(err)
		}
		pids = append(pids, p.PID())
	}
	after := readDir()
	if !slices.IsSorted(pids) || !slices.Contains(pids, 1) || !slices.Contains(pids, os.Getpid()) || !slices.Contains(pids, os.Getppid()) {
		t.Errorf("pids %v", pids)
	}
	// Every process that existed before and after the listing is listed.
	for pid := range before {
		if after[pid] && !slices.Contains(pids, pid) {
			t.Errorf("pid %d missing", pid)
		}
	}
	// Stopping early releases the directory (testutil.Main checks fds).
	count := 0
	for range Default().Procs() {
		count++
		if count == 3 {
			break
		}
	}
	if count != 3 {
		t.Errorf("count %d", count)
	}
}

func TestProcsMissingRoot(t *testing.T) {
	fsys := FS{c: &fsConf{root: "testdata/nonexistent"}}
	n := 0
	for p, err := range fsys.Procs() {
		n++
		if err == nil || p.PID() != 0 {
			t.Errorf("want one error, got %v %v", p, err)
		}
	}
	if n != 1 {
		t.Errorf("%d yields", n)
	}
}

// dirents builds packed linux_dirent64 records.
func dirents(names ...string) []byte {
	var b []byte
	for i, name := range names {
		reclen := (19 + len(name) + 1 + 7) &^ 7
		rec := make([]byte, reclen)
		binary.NativeEndian.PutUint64(rec[0:], uint64(i+1))
		binary.NativeEndian.PutUint64(rec[8:], uint64(i+2))
		binary.NativeEndian.PutUint16(rec[16:], uint16(reclen))
		rec[18] = 4
		copy(rec[19:], name)
		b = append(b, rec...)
	}
	return b
}

func TestEachNumericDirent(t *testing.T) {
	b := dirents(".", "..", "1", "self", "42", "0", "007", "2147483647", "2147483648", "99999999999", "12a", "", "65536")
	var got []int
	eachNumericDirent(b, func(n int) bool { got = append(got, n); return true })
	if want := []int{1, 42, 2147483647, 65536}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	got = nil
	if eachNumericDirent(b, func(n int) bool { got = append(got, n); return false }) || len(got) != 1 {
		t.Errorf("stop: %v", got)
	}
	// Malformed records end the walk without panicking.
	bad := dirents("5")
	binary.NativeEndian.PutUint16(bad[16:], 3)
	eachNumericDirent(bad, func(int) bool { t.Error("called"); return true })
	eachNumericDirent(bad[:10], func(int) bool { t.Error("called"); return true })
}

func FuzzEachNumericDirent(f *testing.F) {
	f.Add(dirents("1", "22", "self"))
	f.Fuzz(func(t *testing.T, b []byte) {
		eachNumericDirent(b, func(n int) bool {
			if n <= 0 {
				t.Errorf("yielded %d", n)
			}
			return true
		})
	})
}

func TestProcsAllocs(t *testing.T) {
	fsys := Default()
	n := testing.AllocsPerRun(20, func() {
		for p, err := range fsys.Procs() {
			if err != nil {
				t.Fatal(err)
			}
			_ = p
		}
	})
	// Nothing: the listing fd is raw, the path is on the stack, and the
	// iterator's closures stay on the caller's stack.
	if n != 0 {
		t.Errorf("Procs: %v allocs per listing", n)
	}
}
