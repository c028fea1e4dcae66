package bench

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	mobymountinfo "github.com/moby/sys/mountinfo"
	promprocfs "github.com/prometheus/procfs"

	lxprocfs "github.com/lxgo/lx/procfs"
)

// BenchmarkMountInfo reads and parses /proc/self/mountinfo with each
// implementation, again and again: the table does not change, so lx's
// memo of the last table spares its parse (BenchmarkMountInfoTurns
// measures a table that changes). impl=raw is the floor: open, read to
// EOF into a reused buffer, close, no parsing, no allocation. impl=lx is
// the slice form (procfs.Proc.MountInfo), impl=lxseq the zero-allocation
// iterator (MountInfoSeq, views only), impl=procfs prometheus/procfs
// GetMounts, impl=moby moby/sys/mountinfo GetMounts(nil).
// TestMountInfoAgrees checks the answers first. Reproduce with ./run
// MountInfo.
func BenchmarkMountInfo(b *testing.B) { benchMountTables(b, nil) }

// BenchmarkMountInfoTurns reads two mount tables in turn, each iteration
// both: /proc/self/mountinfo, and the same table less one mount from a
// file (otherTable). Every read then sees a table other than the last
// one, as when the table changes between reads or a program reads the
// tables of two namespaces: lx's memo does not apply (it holds a third
// table, read twice before the timing: see table), and every
// implementation parses every read. Each reads the file the way its users
// read a table other than their own: lx and procfs with an FS rooted at
// the tree, moby with GetMountsFromReader on the open file.
// TestMountInfoTurnsAgrees checks the answers first.
func BenchmarkMountInfoTurns(b *testing.B) {
	other := otherTable(b)
	benchMountTables(b, &other)
}

// benchMountTables times each implementation reading /proc/self/mountinfo,
// and then other's table when other is not nil.
func benchMountTables(b *testing.B, other *table) {
	self := lxprocfs.Default().Self()
	impl := func(name string, read func() error, readOther func() error) {
		b.Run("impl="+name, func(b *testing.B) {
			if other != nil {
				// The burner read twice in a row: it is lx's memo.
				other.burner.MountInfo()
				other.burner.MountInfo()
			}
			b.ReportAllocs()
			for b.Loop() {
				err := read()
				if err == nil && other != nil {
					err = readOther()
				}
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	var o table
	if other != nil {
		o = *other
	}
	f, g := newRawFile("/proc/self/mountinfo"), newRawFile(o.file)
	buf := make([]byte, 1<<20)
	impl("raw", func() error { _, err := f.readAll(buf); return err },
		func() error { _, err := g.readAll(buf); return err })
	impl("lx", func() error { _, err := self.MountInfo(); return err },
		func() error { _, err := o.lx.MountInfo(); return err })
	seq := func(p lxprocfs.Proc) error {
		for _, err := range p.MountInfoSeq() {
			if err != nil {
				return err
			}
		}
		return nil
	}
	impl("lxseq", func() error { return seq(self) }, func() error { return seq(o.lx) })
	impl("procfs", func() error { _, err := promprocfs.GetMounts(); return err },
		func() error { _, err := o.prom.GetProcMounts(1); return err })
	impl("moby", func() error { _, err := mobymountinfo.GetMounts(nil); return err },
		func() error { _, err := mobyFromFile(o.file); return err })
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

// table is a mount table in a file, and the readers of it that lx and
// prometheus/procfs users make: an FS rooted at the tree that holds it.
// burner is a third table, which BenchmarkMountInfoTurns has lx memoize
// before timing, so that neither of the two it times is memoized
// whatever ran before in the process.
type table struct {
	file   string
	lx     lxprocfs.Proc
	prom   promprocfs.FS
	burner lxprocfs.Proc
}

// otherTable writes a second mount table, /proc/self/mountinfo without
// its last line (as if that mount had gone), to DIR/proc/1/mountinfo in a
// tree laid out like a system root, and the burner, the same without its
// last two lines, to DIR/proc/2/mountinfo.
func otherTable(tb testing.TB) table {
	tb.Helper()
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		tb.Fatal(err)
	}
	root := tb.TempDir()
	for pid := 1; pid <= 2; pid++ {
		b = b[:bytes.LastIndexByte(b[:len(b)-1], '\n')+1]
		dir := filepath.Join(root, "proc", strconv.Itoa(pid))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "mountinfo"), b, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	t := table{file: filepath.Join(root, "proc", "1", "mountinfo")}
	fsys, err := lxprocfs.NewFS(root)
	if err == nil {
		t.lx, err = fsys.Proc(1)
	}
	if err == nil {
		t.burner, err = fsys.Proc(2)
	}
	if err == nil {
		t.prom, err = promprocfs.NewFS(filepath.Join(root, "proc"))
	}
	if err != nil {
		tb.Fatal(err)
	}
	return t
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
	other := otherTable(t)
	text, err := os.ReadFile(other.file)
	if err != nil {
		t.Fatal(err)
	}
	lx, err := other.lx.MountInfo()
	if err != nil {
		t.Fatal(err)
	}
	var seq []lxprocfs.Mount
	for v, err := range other.lx.MountInfoSeq() {
		if err != nil {
			t.Fatal(err)
		}
		seq = append(seq, v.Mount())
	}
	moby, err := mobyFromFile(other.file)
	if err != nil {
		t.Fatal(err)
	}
	pr, err := other.prom.GetProcMounts(1)
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
