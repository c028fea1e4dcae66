package bench

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	mobymountinfo "github.com/moby/sys/mountinfo"
	promprocfs "github.com/prometheus/procfs"

	lxprocfs "github.com/lxgo/lx/procfs"
)

// BenchmarkMountInfo reads and parses /proc/self/mountinfo with each
// implementation, again and again: the table does not change, so lx's
// memo of the last table spares its parse (BenchmarkMountInfoTurns
// measures a table that changes). impl=raw is the floor: open, read to EOF into a reused
// buffer, close, no parsing, no allocation. impl=lx is the slice form (procfs.Proc.MountInfo),
// impl=lxseq the zero-allocation iterator (MountInfoSeq, views only),
// impl=procfs prometheus/procfs GetMounts, impl=moby moby/sys/mountinfo
// GetMounts(nil). TestMountInfoAgrees checks the answers first. Reproduce
// with ./run MountInfo.
func BenchmarkMountInfo(b *testing.B) {
	b.Run("impl=raw", func(b *testing.B) {
		f := newRawFile("/proc/self/mountinfo")
		buf := make([]byte, 1<<20)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := f.readAll(buf); err != nil {
				b.Fatal(err)
			}
		}
	})
	self := lxprocfs.Default().Self()
	b.Run("impl=lx", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := self.MountInfo(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=lxseq", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, err := range self.MountInfoSeq() {
				if err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("impl=procfs", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := promprocfs.GetMounts(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=moby", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := mobymountinfo.GetMounts(nil); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestMountInfoAgrees checks that the implementations see the same mounts.
func TestMountInfoAgrees(t *testing.T) {
	lx, err := lxprocfs.Default().Self().MountInfo()
	if err != nil {
		t.Fatal(err)
	}
	moby, err := mobymountinfo.GetMounts(nil)
	if err != nil {
		t.Fatal(err)
	}
	prom, err := promprocfs.GetMounts()
	if err != nil {
		t.Fatal(err)
	}
	if len(lx) != len(moby) || len(lx) != len(prom) {
		t.Fatalf("lx %d mounts, moby %d, procfs %d", len(lx), len(moby), len(prom))
	}
	for i, m := range lx {
		if mo := moby[i]; m.ID != mo.ID || m.ParentID != mo.Parent || m.MountPoint != mo.Mountpoint ||
			m.FSType != mo.FSType || m.Source != mo.Source || m.Root != mo.Root {
			t.Errorf("mount %d: lx %+v, moby %+v", i, m, mo)
		}
		if pr := prom[i]; m.ID != pr.MountID || m.MountPoint != pr.MountPoint || m.FSType != pr.FSType {
			t.Errorf("mount %d: lx %+v, procfs %+v", i, m, pr)
		}
	}
}

// otherTable writes a second mount table, /proc/self/mountinfo without
// its last line (as if that mount had gone), to DIR/proc/1/mountinfo in a
// tree laid out like a system root, and returns DIR.
func otherTable(tb testing.TB) string {
	tb.Helper()
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		tb.Fatal(err)
	}
	b = b[:bytes.LastIndexByte(b[:len(b)-1], '\n')+1]
	root := tb.TempDir()
	dir := filepath.Join(root, "proc", "1")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "mountinfo"), b, 0o644); err != nil {
		tb.Fatal(err)
	}
	return root
}

// BenchmarkMountInfoTurns reads two mount tables in turn, each iteration
// both: /proc/self/mountinfo, and the same table less one mount from a
// file (otherTable). Every read then sees a table other than the last
// one, as when the table changes between reads or a program reads the
// tables of two namespaces: lx's memo does not apply, and every
// implementation parses every read. Each reads the file the way its users
// read a table other than their own: lx and procfs with an FS rooted at
// the tree, moby with GetMountsFromReader on the open file.
// TestMountInfoTurnsAgrees checks the answers first.
func BenchmarkMountInfoTurns(b *testing.B) {
	root := otherTable(b)
	other := filepath.Join(root, "proc", "1", "mountinfo")
	self := lxprocfs.Default().Self()
	b.Run("impl=raw", func(b *testing.B) {
		f, g := newRawFile("/proc/self/mountinfo"), newRawFile(other)
		buf := make([]byte, 1<<20)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := f.readAll(buf); err != nil {
				b.Fatal(err)
			}
			if _, err := g.readAll(buf); err != nil {
				b.Fatal(err)
			}
		}
	})
	fsys, err := lxprocfs.NewFS(root)
	if err != nil {
		b.Fatal(err)
	}
	p, err := fsys.Proc(1)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("impl=lx", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := self.MountInfo(); err != nil {
				b.Fatal(err)
			}
			if _, err := p.MountInfo(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=lxseq", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, q := range []lxprocfs.Proc{self, p} {
				for _, err := range q.MountInfoSeq() {
					if err != nil {
						b.Fatal(err)
					}
				}
			}
		}
	})
	prom, err := promprocfs.NewFS(filepath.Join(root, "proc"))
	if err != nil {
		b.Fatal(err)
	}
	b.Run("impl=procfs", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := promprocfs.GetMounts(); err != nil {
				b.Fatal(err)
			}
			if _, err := prom.GetProcMounts(1); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=moby", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := mobymountinfo.GetMounts(nil); err != nil {
				b.Fatal(err)
			}
			if _, err := mobyFromFile(other); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// mobyFromFile reads the mount table in file with moby's
// GetMountsFromReader.
func mobyFromFile(file string) ([]*mobymountinfo.Info, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return mobymountinfo.GetMountsFromReader(f, nil)
}

// TestMountInfoTurnsAgrees checks that the implementations see the same
// mounts in BenchmarkMountInfoTurns's second table (the first is
// TestMountInfoAgrees's), one per line of the file.
func TestMountInfoTurnsAgrees(t *testing.T) {
	root := otherTable(t)
	file := filepath.Join(root, "proc", "1", "mountinfo")
	text, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	fsys, err := lxprocfs.NewFS(root)
	if err != nil {
		t.Fatal(err)
	}
	p, err := fsys.Proc(1)
	if err != nil {
		t.Fatal(err)
	}
	lx, err := p.MountInfo()
	if err != nil {
		t.Fatal(err)
	}
	var seq []lxprocfs.Mount
	for v, err := range p.MountInfoSeq() {
		if err != nil {
			t.Fatal(err)
		}
		seq = append(seq, v.Mount())
	}
	moby, err := mobyFromFile(file)
	if err != nil {
		t.Fatal(err)
	}
	prom, err := promprocfs.NewFS(filepath.Join(root, "proc"))
	if err != nil {
		t.Fatal(err)
	}
	pr, err := prom.GetProcMounts(1)
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(text, []byte{'\n'}); n == 0 || len(lx) != n || len(seq) != n || len(moby) != n || len(pr) != n {
		t.Fatalf("%d lines: lx %d mounts, lx seq %d, moby %d, procfs %d", n, len(lx), len(seq), len(moby), len(pr))
	}
	for i, m := range lx {
		if seq[i] != m {
			t.Errorf("mount %d: lx %+v, seq %+v", i, m, seq[i])
		}
		if mo := moby[i]; m.ID != mo.ID || m.ParentID != mo.Parent || m.MountPoint != mo.Mountpoint ||
			m.FSType != mo.FSType || m.Source != mo.Source || m.Root != mo.Root {
			t.Errorf("mount %d: lx %+v, moby %+v", i, m, mo)
		}
		if q := pr[i]; m.ID != q.MountID || m.MountPoint != q.MountPoint || m.FSType != q.FSType {
			t.Errorf("mount %d: lx %+v, procfs %+v", i, m, q)
		}
	}
}
