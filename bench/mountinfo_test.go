package bench

import (
	"testing"

	mobymountinfo "github.com/moby/sys/mountinfo"
	promprocfs "github.com/prometheus/procfs"

	lxprocfs "github.com/lxgo/lx/procfs"
)

// BenchmarkMountInfo reads and parses /proc/self/mountinfo with each
// implementation. impl=raw is the floor: open, read to EOF into a reused
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
