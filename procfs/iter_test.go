package procfs

import (
	"encoding/binary"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
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
	fsys := FS{c: newConf("testdata/nonexistent", "testdata/nonexistent/proc", fsOther)}
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

// TestProcsListedDir checks that the Procs of a listing read the
// directory that was listed: after the tree's proc directory is replaced,
// a Proc of the first listing still reads the old one, a Proc made by
// FS.Proc and the Procs of a new listing the new one. Their FS, Dir and
// error paths are the FS's own.
func TestProcsListedDir(t *testing.T) {
	root := t.TempDir()
	proc := filepath.Join(root, "proc")
	writeStatus := func(dir, name string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Join(dir, "42"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "42", "status"), []byte("Name:\t"+name+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	writeStatus(proc, "old")
	fsys, err := NewFS(root)
	if err != nil {
		t.Fatal(err)
	}
	list := func() Proc {
		t.Helper()
		var got []Proc
		for p, err := range fsys.Procs() {
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, p)
		}
		if len(got) != 1 || got[0].PID() != 42 {
			t.Fatalf("listed %v", got)
		}
		return got[0]
	}
	name := func(p Proc) string {
		t.Helper()
		st, err := p.Status()
		if err != nil {
			t.Fatal(err)
		}
		return st.Name.String()
	}
	first := list()
	if again := list(); again.fs != first.fs {
		t.Errorf("two listings of one directory: confs %p and %p, want one", again.fs.c, first.fs.c)
	}
	if first.FS() != fsys || first.Dir() != proc+"/42" {
		t.Errorf("listed Proc: FS equal %v, Dir %q", first.FS() == fsys, first.Dir())
	}
	if _, err := first.Statm(); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), proc+"/42/statm") {
		t.Errorf("error of a listed Proc: %v, want one naming %s/42/statm", err, proc)
	}

	if err := os.Rename(proc, filepath.Join(root, "proc.old")); err != nil {
		t.Fatal(err)
	}
	writeStatus(proc, "new")
	byPath, err := fsys.Proc(42)
	if err != nil {
		t.Fatal(err)
	}
	if got := name(first); got != "old" {
		t.Errorf("Proc of the first listing reads %q, want the listed directory's %q", got, "old")
	}
	if got := name(byPath); got != "new" {
		t.Errorf("FS.Proc reads %q, want %q", got, "new")
	}
	second := list()
	if got := name(second); got != "new" {
		t.Errorf("Proc of a listing of the new directory reads %q, want %q", got, "new")
	}
	if second.fs == first.fs {
		t.Error("a listing of another directory kept the first listing's conf")
	}
	if got := name(first); got != "old" {
		t.Errorf("after a new listing, the first listing's Proc reads %q, want %q", got, "old")
	}
}

// TestProcsListedDirClosed checks that the directory a listing holds is
// closed once no Proc of it is left.
func TestProcsListedDirClosed(t *testing.T) {
	root := t.TempDir()
	proc := filepath.Join(root, "proc")
	if err := os.MkdirAll(filepath.Join(proc, "7"), 0o755); err != nil {
		t.Fatal(err)
	}
	fsys, err := NewFS(root)
	if err != nil {
		t.Fatal(err)
	}
	open := func() int {
		entries, _ := os.ReadDir("/proc/self/fd")
		n := 0
		for _, e := range entries {
			if target, err := os.Readlink("/proc/self/fd/" + e.Name()); err == nil && target == proc {
				n++
			}
		}
		return n
	}
	var held []Proc
	for range 3 {
		for p, err := range fsys.Procs() {
			if err != nil {
				t.Fatal(err)
			}
			held = append(held, p)
		}
	}
	if n := open(); n != 1 {
		t.Fatalf("three listings with their Procs kept: %d descriptors of %s, want 1", n, proc)
	}
	runtime.KeepAlive(held)
	held = nil
	for deadline := time.Now().Add(5 * time.Second); open() != 0; {
		if time.Now().After(deadline) {
			t.Fatalf("%s still open after its Procs were dropped", proc)
		}
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
}

// TestProcsConcurrent lists and reads from several goroutines at once,
// which share the FS's held directory (run with -race).
func TestProcsConcurrent(t *testing.T) {
	fsys := Default()
	done := make(chan error)
	for range 4 {
		go func() {
			var st Stat
			for range 10 {
				for p, err := range fsys.Procs() {
					if err != nil {
						done <- err
						return
					}
					if err := p.ReadStat(&st); err != nil && !errors.Is(err, os.ErrProcessDone) {
						done <- err
						return
					}
				}
				runtime.GC() // let the collector free a listing's conf between scans
			}
			done <- nil
		}()
	}
	for range 4 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
