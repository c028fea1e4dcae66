package hugepage

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/lxgo/lx/internal/testutil"
	"github.com/lxgo/lx/kernel"
)

// copyTree copies a fixture tree to a temporary directory that the set
// tests may write.
func copyTree(t *testing.T, root string) FS {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(root)); err != nil {
		t.Fatal(err)
	}
	// CopyFS makes read-only copies of read-only files; sysfs knobs are
	// writable.
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			os.Chmod(p, 0o644)
		}
		return err
	})
	return mustFS(t, dir)
}

func readTrim(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

func TestSetPagesFixture(t *testing.T) {
	fsys := copyTree(t, "testdata/x86")
	// The node pool has no surplus: what is written is what is read back.
	g, err := fsys.SetNodePages(1, 2<<20, 7)
	if err != nil || g != (Grant{Size: 2 << 20, Node: 1, Asked: 7, Got: 7}) {
		t.Errorf("SetNodePages = %+v, %v", g, err)
	}
	if got := readTrim(t, fsys.nodeDir(1)+"/hugepages-2048kB/nr_hugepages"); got != "7" {
		t.Errorf("node file holds %q", got)
	}
	// The global 2 MiB pool's fixture has one surplus page, which the
	// written 17 includes as the kernel's nr_hugepages would: 16
	// persistent pages, one fewer than asked.
	g, err = fsys.SetPages(2<<20, 17)
	var pe *PartialError
	if !errors.As(err, &pe) || pe.Grant != g || g.Got != 16 || g.Asked != 17 || g.Node != -1 {
		t.Errorf("SetPages = %+v, %v; want a PartialError of 16 of 17", g, err)
	}
	if err != nil && err.Error() != "hugepage 2MiB: the global pool has 16 persistent pages, 17 asked" {
		t.Errorf("PartialError text %q", err)
	}
	if err := fsys.SetOvercommit(1<<30, 3); err != nil {
		t.Fatal(err)
	}
	if got := readTrim(t, fsys.fs.SysPath("kernel/mm/hugepages/hugepages-1048576kB/nr_overcommit_hugepages")); got != "3" {
		t.Errorf("overcommit file holds %q", got)
	}
}

func TestSetPagesBadInput(t *testing.T) {
	fsys := copyTree(t, "testdata/x86")
	for _, tc := range []struct {
		name string
		fn   func() error
		want string
	}{
		{"size the kernel lacks", func() error { _, err := fsys.SetPages(4<<20, 1); return err }, "4MiB"},
		{"node beyond possible", func() error { _, err := fsys.SetNodePages(2, 2<<20, 1); return err }, "node"},
		{"negative node", func() error { _, err := fsys.SetNodePages(-1, 2<<20, 1); return err }, "-1"},
		// The fixture's MemTotal is about 23.5 GiB.
		{"beyond memory", func() error { _, err := fsys.SetPages(1<<30, 24); return err }, "count 24 of 1GiB huge pages"},
		{"count overflow", func() error { _, err := fsys.SetPages(2<<20, 1<<63); return err }, "9223372036854775808"},
		{"overcommit beyond memory", func() error { return fsys.SetOvercommit(2<<20, 1<<50) }, "count 1125899906842624 of 2MiB"},
	} {
		err := tc.fn()
		if !errors.Is(err, fs.ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want fs.ErrInvalid naming %q", tc.name, err, tc.want)
		}
	}
	// Nothing was written.
	if got := readTrim(t, fsys.fs.SysPath("kernel/mm/hugepages/hugepages-2048kB/nr_hugepages")); got != "16" {
		t.Errorf("a refused request changed the pool: %q", got)
	}
}

// setOrSkip changes a pool of the host, restoring it in t.Cleanup.
func setOrSkip(t *testing.T, node int, size, count uint64) Grant {
	t.Helper()
	before, err := Pools()
	if err != nil {
		testutil.SkipIfUnsupported(t, err, kernel.Version{})
		t.Fatal(err)
	}
	var orig uint64
	if node < 0 {
		for _, p := range before {
			if p.Size == size {
				orig = p.Persistent()
			}
		}
	} else {
		nodes, err := NodePools()
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range nodes {
			if p.Node == node && p.Size == size {
				orig = p.Persistent()
			}
		}
	}
	set := func(n uint64) (Grant, error) {
		if node < 0 {
			return SetPages(size, n)
		}
		return SetNodePages(node, size, n)
	}
	g, err := set(orig + count)
	if errors.Is(err, fs.ErrPermission) {
		t.Skipf("needs root: %v", err)
	}
	t.Cleanup(func() {
		if _, err := set(orig); err != nil {
			t.Errorf("restoring the %s pool to %d: %v", FormatSize(size), orig, err)
		}
	})
	if err != nil {
		var pe *PartialError
		if errors.As(err, &pe) {
			t.Skipf("the kernel could not grow the pool: %v", err)
		}
		t.Fatal(err)
	}
	if g.Got != orig+count {
		t.Fatalf("Grant %+v, want %d pages", g, orig+count)
	}
	return g
}

func TestSetNodePagesLive(t *testing.T) {
	nodes, err := NodePools()
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, p := range nodes {
		if p.Size != 2<<20 {
			continue
		}
		seen++
		t.Run("node"+strconv.Itoa(p.Node), func(t *testing.T) {
			setOrSkip(t, p.Node, 2<<20, 1)
			after, err := NodePools()
			if err != nil {
				t.Fatal(err)
			}
			for _, q := range after {
				if q.Node == p.Node && q.Size == p.Size && q.Persistent() != p.Persistent()+1 {
					t.Errorf("node %d: %d persistent pages, want %d", p.Node, q.Persistent(), p.Persistent()+1)
				}
			}
		})
	}
	if seen == 0 {
		t.Skip("no node has a 2 MiB pool")
	}
	t.Logf("%d nodes", seen)
}
