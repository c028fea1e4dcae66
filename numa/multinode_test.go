package numa

import (
	"os"
	"testing"

	"github.com/lxgo/lx/cpuset"
	"github.com/lxgo/lx/internal/testutil"
)

// The tests of this file need two NUMA nodes with memory: they skip on
// one node and fail in the two-node vmtest guest if it has fewer
// (memNodes).

const multiPages = 64

// faultIn maps pages and faults them in under thread policy p.
func faultIn(t *testing.T, p Policy) []byte {
	t.Helper()
	b := mapPages(t, multiPages)
	err := Do(p, func() error { touch(b); return nil })
	skipIfFeature(t, err)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestInterleaveTwoNodes(t *testing.T) {
	nodes := memNodes(t, 2)
	a, b := nodes[0], nodes[1]
	for _, mode := range []Mode{ModeInterleave, ModeWeightedInterleave} {
		t.Run(mode.String(), func(t *testing.T) {
			mem := faultIn(t, Policy{Mode: mode, Nodes: cpuset.Of(a, b)})
			c := nodeCounts(t, mem)
			// Round robin with the default weights of 1: about half
			// each (the kernel's own allocations on the thread, page
			// tables, take turns too).
			if c[a] < multiPages/4 || c[b] < multiPages/4 || c[a]+c[b] != multiPages {
				t.Errorf("pages per node %v, want about %d on each of %d and %d", c, multiPages/2, a, b)
			}
		})
	}
}

// TestBindOtherNode: bind, preferred and preferred-many to the second
// node put every page there, whichever CPU the thread runs on.
func TestBindOtherNode(t *testing.T) {
	nodes := memNodes(t, 2)
	b := nodes[1]
	for _, p := range []Policy{
		{Mode: ModeBind, Nodes: cpuset.Of(b)},
		{Mode: ModePreferred, Nodes: cpuset.Of(b)},
		{Mode: ModePreferredMany, Nodes: cpuset.Of(b)},
	} {
		t.Run(p.String(), func(t *testing.T) {
			mem := faultIn(t, p)
			if c := nodeCounts(t, mem); c[b] != multiPages {
				t.Errorf("pages per node %v, want all %d on node %d", c, multiPages, b)
			}
		})
	}
}

// TestRegionPolicyTwoNodes: a region's policy wins over the faulting
// thread's, and Move moves the pages already there.
func TestRegionPolicyTwoNodes(t *testing.T) {
	nodes := memNodes(t, 2)
	a, b := nodes[0], nodes[1]
	mem := mapPages(t, multiPages)
	if err := SetRegionPolicy(mem, Policy{Mode: ModeBind, Nodes: cpuset.Of(b)}, nil); err != nil {
		t.Fatal(err)
	}
	if err := Do(Policy{Mode: ModeBind, Nodes: cpuset.Of(a)}, func() error { touch(mem); return nil }); err != nil {
		t.Fatal(err)
	}
	if c := nodeCounts(t, mem); c[b] != multiPages {
		t.Fatalf("pages per node %v, want all on the region's node %d", c, b)
	}
	err := SetRegionPolicy(mem, Policy{Mode: ModeBind, Nodes: cpuset.Of(a)}, &RegionOptions{Move: true, Strict: true})
	if err != nil {
		t.Fatal(err)
	}
	if c := nodeCounts(t, mem); c[a] != multiPages {
		t.Errorf("pages per node after mbind with Move %v, want all on %d", c, a)
	}
}

func TestMovePagesBetweenNodes(t *testing.T) {
	nodes := memNodes(t, 2)
	a, b := nodes[0], nodes[1]
	mem := faultIn(t, Policy{Mode: ModeBind, Nodes: cpuset.Of(a)})
	if c := nodeCounts(t, mem); c[a] != multiPages {
		t.Fatalf("pages per node %v, want all on %d", c, a)
	}
	st, err := MovePages(mem, b, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range st {
		if s.Node() != b {
			t.Errorf("page %d after MovePages to %d: %v", i, b, s)
		}
	}
	if c := nodeCounts(t, mem); c[b] != multiPages {
		t.Errorf("pages per node after MovePages %v, want all on %d", c, b)
	}
	if got, err := PageNode(mem); err != nil || got != b {
		t.Errorf("PageNode = %d, %v; want %d", got, err, b)
	}
}

// TestHomeNodeTwoNodes: a bind region over both nodes allocates on its
// home node.
func TestHomeNodeTwoNodes(t *testing.T) {
	nodes := memNodes(t, 2)
	a, b := nodes[0], nodes[1]
	for _, home := range []int{a, b} {
		mem := mapPages(t, multiPages)
		if err := SetRegionPolicy(mem, Policy{Mode: ModeBind, Nodes: cpuset.Of(a, b)}, nil); err != nil {
			t.Fatal(err)
		}
		err := SetHomeNode(mem, home)
		skipIfFeature(t, err)
		if err != nil {
			t.Fatal(err)
		}
		touch(mem)
		if c := nodeCounts(t, mem); c[home] != multiPages {
			t.Errorf("pages per node %v, want all on home node %d", c, home)
		}
	}
}

// TestMigratePagesBetweenNodes moves a whole process's pages, so it
// runs in a child: the test binary's own memory stays put.
func TestMigratePagesBetweenNodes(t *testing.T) {
	nodes := memNodes(t, 2)
	testutil.RunInChild(t, nil, func(t *testing.T) {
		a, b := nodes[0], nodes[1]
		mem := faultIn(t, Policy{Mode: ModeBind, Nodes: cpuset.Of(a)})
		if c := nodeCounts(t, mem); c[a] != multiPages {
			t.Fatalf("pages per node %v, want all on %d", c, a)
		}
		left, err := MigratePages(os.Getpid(), cpuset.Of(a), cpuset.Of(b))
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("migrate_pages could not move %d pages of the process", left)
		if c := nodeCounts(t, mem); c[b] != multiPages {
			t.Errorf("pages per node after MigratePages %v, want all on %d", c, b)
		}
		// And back.
		if _, err := MigratePages(os.Getpid(), cpuset.Of(b), cpuset.Of(a)); err != nil {
			t.Fatal(err)
		}
		if c := nodeCounts(t, mem); c[a] != multiPages {
			t.Errorf("pages per node after MigratePages back %v, want all on %d", c, a)
		}
	})
}
