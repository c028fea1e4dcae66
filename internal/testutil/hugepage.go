package testutil

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

// HugePage2M makes sure the 2 MiB huge page pool has a free page for the
// test. As root it adds one page to the pool and takes one away at
// cleanup, relative to the pool's size then, so that tests of several
// packages running at once each get their page and leave the pool as they
// found it; otherwise it uses a free page if there is one, or skips.
func HugePage2M(t testing.TB) {
	t.Helper()
	const dir = "/sys/kernel/mm/hugepages/hugepages-2048kB/"
	read := func(name string) int {
		b, err := os.ReadFile(dir + name)
		if err != nil {
			t.Skipf("no 2 MiB huge pages: %v", err)
		}
		n, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return n
	}
	write := func(n int) error { return os.WriteFile(dir+"nr_hugepages", []byte(strconv.Itoa(n)), 0) }
	if os.Getuid() != 0 {
		if read("free_hugepages") == 0 {
			t.Skip("no free 2 MiB huge page, and raising the pool needs root")
		}
		return
	}
	before := read("nr_hugepages")
	if err := write(before + 1); err != nil {
		t.Skipf("raising nr_hugepages: %v", err)
	}
	if read("nr_hugepages") <= before {
		t.Skip("the kernel found no memory for a 2 MiB huge page")
	}
	t.Cleanup(func() {
		if err := write(read("nr_hugepages") - 1); err != nil {
			t.Errorf("lowering nr_hugepages back: %v", err)
		}
	})
}
