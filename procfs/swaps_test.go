package procfs

import (
	"errors"
	"os"
	"slices"
	"testing"

	"github.com/lxgo/lx/internal/sys"
)

func TestParseSwaps(t *testing.T) {
	list, err := parseSwaps(systemFixture(t, "swaps-mixed"))
	if err != nil {
		t.Fatal(err)
	}
	want := []Swap{
		{"/dev/vda2", SwapPartition, 1048572 << 10, 0, -2},
		{"/swap file\ttab", SwapFile, 524284 << 10, 1024 << 10, 10},
		{"/var/swap2 (deleted)", SwapFile, 102396 << 10, 0, -3},
		{"/dev/zram0", SwapPartition, 18014398509481983 << 10, 18014398509481983 << 10, 32767},
	}
	if !slices.Equal(list, want) {
		t.Errorf("got  %+v\nwant %+v", list, want)
	}
	list, err = parseSwaps(systemFixture(t, "swaps-empty"))
	if err != nil || len(list) != 0 {
		t.Errorf("empty: %v, %v", list, err)
	}
	for _, in := range []string{
		"",
		"/dev/sda1 partition 1 0 -1\n",
		"Filename Type Size Used Priority\n/dev/sda1 partition 1 0\n",
		"Filename Type Size Used Priority\npartition 1 0 -1\n",
		"Filename Type Size Used Priority\n/dev/sda1 partition x 0 -1\n",
		"Filename Type Size Used Priority\n/dev/sda1 partition 1 x -1\n",
		"Filename Type Size Used Priority\n/dev/sda1 partition 1 0 x\n",
		"Filename Type Size Used Priority\n/dev/sda1 partition 1 0 2147483648\n",
		"Filename Type Size Used Priority\n/dev/sda1 partition 18014398509481984 0 1\n",
	} {
		if list, err := parseSwaps([]byte(in)); err == nil {
			t.Errorf("parseSwaps(%q) = %+v, want an error", in, list)
		}
	}
	list, _ = parseSwaps([]byte("Filename\n/x zswap 4 0 1\n"))
	if len(list) != 1 || list[0].Type != "zswap" || list[0].Type.String() != "zswap" {
		t.Errorf("unknown type: %+v", list)
	}
}

func TestSwapsKernel(t *testing.T) {
	list, err := Default().Swaps()
	if err != nil {
		t.Fatal(err)
	}
	si, err := sys.GetSysinfo()
	if err != nil {
		t.Fatal(err)
	}
	// sysinfo's totalswap is the sum of the active areas' sizes.
	var total uint64
	for _, s := range list {
		total += s.Size
		if s.Used > s.Size || s.Filename == "" || (s.Type != SwapPartition && s.Type != SwapFile) {
			t.Errorf("implausible: %+v", s)
		}
	}
	if total != si.TotalSwap {
		t.Errorf("swaps total %d, sysinfo %d", total, si.TotalSwap)
	}
	if _, err := systemRoot(t, nil).Swaps(); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func FuzzParseSwaps(f *testing.F) {
	seedSystemFixtures(f, "swaps-")
	f.Fuzz(func(t *testing.T, b []byte) {
		list, err := parseSwaps(b)
		if err != nil {
			return
		}
		for _, s := range list {
			if s.Filename == "" || s.Type == "" || s.Size%1024 != 0 || s.Used%1024 != 0 {
				t.Errorf("bad: %+v", s)
			}
		}
	})
}
