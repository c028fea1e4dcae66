package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/lxgo/lx/hugepage"
	"github.com/lxgo/lx/procfs"
)

// memFixture is hugepage's two-node x86 fixture: meminfo, pools, node
// pools and THP knobs.
const memFixture = "../../../../hugepage/testdata/x86"

func memFixtureCommand(t *testing.T, root string) *memCommand {
	t.Helper()
	pages, err := hugepage.NewFS(root)
	if err != nil {
		t.Fatal(err)
	}
	procs, err := procfs.NewFS(root)
	if err != nil {
		t.Fatal(err)
	}
	return &memCommand{pages: pages, procs: procs}
}

func TestMemFixture(t *testing.T) {
	c := memFixtureCommand(t, memFixture)
	var out bytes.Buffer
	if err := c.Run(context.Background(), &Env{Stdout: &out}, nil); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"total           23.5 GiB",
		"THP             enabled madvise, defrag madvise, shmem never",
		"THP 2MiB        inherit",
		"SIZE  NODE  TOTAL  FREE  RESV  SURPLUS  OVERCOMMIT",
		"2MiB  all   16     12    2     1        4",
		"      0     10     8     -     1        -",
		"      1     6      4     -     0        -",
		"1GiB  all   1      1     0     0        0",
	} {
		if !strings.Contains(out.String(), want+"\n") {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "THP 64KiB") {
		t.Errorf("a per-size knob set to never is listed:\n%s", out.String())
	}
	out.Reset()
	if err := c.Run(context.Background(), &Env{Stdout: &out, JSON: true}, nil); err != nil {
		t.Fatal(err)
	}
	var r struct {
		Meminfo     struct{ MemTotal uint64 } `json:"meminfo"`
		DefaultSize uint64                    `json:"default_huge_page_size_bytes"`
		Pools       []hugepage.Pool           `json:"pools"`
		NodePools   []hugepage.NodePool       `json:"node_pools"`
		THP         *hugepage.THP             `json:"thp"`
	}
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if r.Meminfo.MemTotal != 24684096<<10 || r.DefaultSize != 2<<20 || len(r.Pools) != 2 || len(r.NodePools) != 4 ||
		r.THP == nil || r.THP.Enabled.Mode != hugepage.THPMadvise || r.THP.Sizes[0].Enabled.Mode != hugepage.THPNever {
		t.Errorf("JSON = %+v", r)
	}
}

func TestMemLive(t *testing.T) {
	out, stderr, code := runLX(t, "mem", "--json")
	if code != ExitOK {
		t.Fatalf("lx mem --json: exit %d, %s", code, stderr)
	}
	var r struct {
		Meminfo procfs.Meminfo `json:"meminfo"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	m, err := procfs.Default().Meminfo()
	if err != nil {
		t.Fatal(err)
	}
	if r.Meminfo.MemTotal != m.MemTotal {
		t.Errorf("MemTotal %d, meminfo says %d", r.Meminfo.MemTotal, m.MemTotal)
	}
	if out, stderr, code := runLX(t, "mem"); code != ExitOK || !strings.Contains(out, "available") {
		t.Errorf("lx mem: exit %d\n%s%s", code, out, stderr)
	}
	if _, stderr, code := runLX(t, "mem", "extra"); code != ExitUsage || !strings.Contains(stderr, "extra") {
		t.Errorf("lx mem extra: exit %d, %s", code, stderr)
	}
}

func TestMemHugepagesBadInput(t *testing.T) {
	if _, err := hugepage.Pools(); err != nil {
		t.Skip(err)
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"512G", "1"}, ExitError, "huge page size 512GiB not supported"},
		{[]string{"3M", "1"}, ExitUsage, `"3M"`},
		{[]string{"lots", "1"}, ExitUsage, `"lots"`},
		{[]string{"2M", "99999999999999999999"}, ExitUsage, `"99999999999999999999"`},
		{[]string{"2M", "-1"}, ExitUsage, `"-1"`},
		{[]string{"--node", "4096", "2M", "1"}, ExitError, "node 4096"},
		{[]string{"1G", "1000000"}, ExitError, "count 1000000 of 1GiB"},
		{[]string{"2M"}, ExitUsage, "want a page size and a count"},
	} {
		out, stderr, code := runLX(t, append([]string{"mem", "hugepages"}, tc.args...)...)
		if code != tc.code || !strings.Contains(stderr, tc.want) || out != "" {
			t.Errorf("lx mem hugepages %q: exit %d, %q, %q; want %d naming %q", tc.args, code, out, stderr, tc.code, tc.want)
		}
	}
}

// A pool the kernel grows only in part: the fixture's global 2 MiB pool
// has a surplus page, so the 17 pages written read back as 16 persistent
// ones.
func TestMemHugepagesPartial(t *testing.T) {
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(memFixture)); err != nil {
		t.Fatal(err)
	}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			os.Chmod(p, 0o644)
		}
		return err
	})
	pages, err := hugepage.NewFS(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	err = (&memHugepagesCommand{pages: pages, node: -1}).Run(context.Background(), &Env{Stdout: &out}, []string{"2048kB", "17"})
	var pe *hugepage.PartialError
	if !errors.As(err, &pe) || out.String() != "2MiB pages: the pool holds 16 persistent pages (asked 17)\n" {
		t.Errorf("partial grant: %q, %v", out.String(), err)
	}
	out.Reset()
	err = (&memHugepagesCommand{pages: pages, node: 1}).Run(context.Background(), &Env{Stdout: &out, JSON: true}, []string{"2M", "3"})
	var g hugepage.Grant
	if err != nil || json.Unmarshal(out.Bytes(), &g) != nil || g != (hugepage.Grant{Size: 2 << 20, Node: 1, Asked: 3, Got: 3}) {
		t.Errorf("node grant: %s, %v", out.String(), err)
	}
}

// As root, lx grows the host's 2 MiB pool by a page; the test restores it.
func TestMemHugepagesLive(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root")
	}
	pools, err := hugepage.Pools()
	if err != nil {
		t.Skip(err)
	}
	var orig uint64
	found := false
	for _, p := range pools {
		if p.Size == 2<<20 {
			orig, found = p.Persistent(), true
		}
	}
	if !found {
		t.Skip("no 2 MiB pool")
	}
	t.Cleanup(func() {
		if _, err := hugepage.SetPages(2<<20, orig); err != nil {
			t.Errorf("restoring the 2 MiB pool to %d: %v", orig, err)
		}
	})
	want := strconv.FormatUint(orig+1, 10)
	out, stderr, code := runLX(t, "mem", "hugepages", "2M", want)
	if code == ExitError && strings.Contains(stderr, "asked") {
		t.Skipf("the kernel could not grow the pool: %s", stderr)
	}
	if code != ExitOK || out != "2MiB pages: the pool holds "+want+" persistent pages (asked "+want+")\n" {
		t.Errorf("lx mem hugepages 2M %s: exit %d, %q, %q", want, code, out, stderr)
	}
}
