package hugepage

import (
	"errors"
	"io/fs"
	"os"
	"reflect"
	"strings"
	"testing"
)

func TestNodePoolsFixture(t *testing.T) {
	got, err := mustFS(t, "testdata/x86").NodePools()
	want := []NodePool{
		{Node: 0, Size: 2 << 20, Total: 10, Free: 8, Surplus: 1},
		{Node: 0, Size: 1 << 30, Total: 1, Free: 1},
		{Node: 1, Size: 2 << 20, Total: 6, Free: 4},
		{Node: 1, Size: 1 << 30},
	}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("NodePools() =\n%+v, %v\nwant\n%+v", got, err, want)
	}
	if got[0].Persistent() != 9 {
		t.Errorf("Persistent = %d", got[0].Persistent())
	}
	// No node directory: no per-node pools, and no error.
	if got, err := mustFS(t, "testdata/arm64").NodePools(); err != nil || len(got) != 0 {
		t.Errorf("NodePools without nodes = %v, %v", got, err)
	}
}

func TestCheckNode(t *testing.T) {
	fsys := mustFS(t, "testdata/x86")
	if err := fsys.checkNode(1); err != nil {
		t.Errorf("checkNode(1) = %v", err)
	}
	for _, n := range []int{2, 99, -1} {
		err := fsys.checkNode(n)
		if !errors.Is(err, fs.ErrInvalid) || !strings.Contains(err.Error(), "node") || !strings.Contains(err.Error(), "0-1") {
			t.Errorf("checkNode(%d) = %v, want fs.ErrInvalid naming the node and the possible ones", n, err)
		}
	}
	if err := mustFS(t, "testdata/arm64").checkNode(0); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("checkNode without NUMA = %v", err)
	}
}

// NodePools of the host agrees with its sysfs and adds up to the global
// pools.
func TestNodePoolsLive(t *testing.T) {
	nodes, err := NodePools()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat("/sys/devices/system/node/node0/hugepages"); err == nil && len(nodes) == 0 {
		t.Fatal("node0 has pools but NodePools found none")
	}
	pools, err := Pools()
	if errors.Is(err, errors.ErrUnsupported) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pools {
		var sum uint64
		for _, n := range nodes {
			if n.Size == p.Size {
				sum += n.Total
			}
		}
		if len(nodes) > 0 && sum != p.Total {
			t.Errorf("%s: nodes hold %d pages, the pool %d", FormatSize(p.Size), sum, p.Total)
		}
	}
}
