package hugepage

import (
	"errors"
	"io/fs"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/lxgo/lx/internal/testutil"
)

func TestParseTHPKnob(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want THPKnob
	}{
		{"always [madvise] never\n", THPKnob{THPMadvise, []THPMode{THPAlways, THPMadvise, THPNever}}},
		{"always defer defer+madvise [madvise] never\n", THPKnob{THPMadvise, []THPMode{THPAlways, THPDefer, THPDeferMadvise, THPMadvise, THPNever}}},
		{"always within_size advise [never] deny force\n", THPKnob{THPNever, []THPMode{THPAlways, THPWithinSize, THPAdvise, THPNever, THPDeny, THPForce}}},
		{"[always] inherit madvise never", THPKnob{THPAlways, []THPMode{THPAlways, THPInherit, THPMadvise, THPNever}}},
	} {
		got, err := parseTHPKnob([]byte(tc.in))
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("parseTHPKnob(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
	for _, in := range []string{"", "always madvise never", "[always] [never]", "always [sometimes]", "[]"} {
		if _, err := parseTHPKnob([]byte(in)); !errors.Is(err, fs.ErrInvalid) {
			t.Errorf("parseTHPKnob(%q) = %v, want fs.ErrInvalid", in, err)
		}
	}
}

func TestTHPModeText(t *testing.T) {
	for m := THPAlways; m <= THPForce; m++ {
		b, err := m.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		var back THPMode
		if err := back.UnmarshalText(b); err != nil || back != m {
			t.Errorf("%v round trip: %v, %v", m, back, err)
		}
	}
	if b, err := THPMode(0).MarshalText(); err != nil || len(b) != 0 {
		t.Errorf("the zero mode's text: %q, %v", b, err)
	}
	if _, err := THPMode(200).MarshalText(); err == nil {
		t.Error("mode 200 has text")
	}
	if _, err := ParseTHPMode("sometimes"); !errors.Is(err, fs.ErrInvalid) || !strings.Contains(err.Error(), "sometimes") {
		t.Errorf("ParseTHPMode(sometimes) = %v", err)
	}
}

func TestReadTHPFixture(t *testing.T) {
	got, err := mustFS(t, "testdata/x86").ReadTHP()
	if err != nil {
		t.Fatal(err)
	}
	if got.Enabled.Mode != THPMadvise || got.Defrag.Mode != THPMadvise || got.ShmemEnabled.Mode != THPNever || got.PMDSize != 2<<20 {
		t.Errorf("THP = %+v", got)
	}
	if len(got.Sizes) != 2 || got.Sizes[0].Size != 64<<10 || got.Sizes[0].Enabled.Mode != THPNever ||
		got.Sizes[1].Enabled.Mode != THPInherit || got.Sizes[1].ShmemEnabled.Mode != THPNever {
		t.Errorf("mTHP sizes = %+v", got.Sizes)
	}
	// arm64's fixture: an older kernel, no shmem_enabled, no mTHP.
	old, err := mustFS(t, "testdata/arm64").ReadTHP()
	if err != nil || old.Enabled.Mode != THPAlways || old.ShmemEnabled.Mode != 0 || len(old.Sizes) != 0 || old.PMDSize != 0 {
		t.Errorf("arm64 THP = %+v, %v", old, err)
	}
	if _, err := mustFS(t, t.TempDir()).ReadTHP(); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("ReadTHP without THP = %v", err)
	}
}

func TestSetTHPFixture(t *testing.T) {
	fsys := copyTree(t, "testdata/x86")
	if err := fsys.SetTHPEnabled(THPDefer); !errors.Is(err, fs.ErrInvalid) || !strings.Contains(err.Error(), "defer") ||
		!strings.Contains(err.Error(), "always, madvise, never") {
		t.Errorf("SetTHPEnabled(defer) = %v", err)
	}
	if err := fsys.SetMTHPEnabled(128<<10, THPNever); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "hugepages-128kB") {
		t.Errorf("SetMTHPEnabled(128K) = %v, want ErrNotExist naming the size", err)
	}
	if err := fsys.SetMTHPEnabled(64<<10, THPInherit); err != nil {
		t.Fatal(err)
	}
	if got := readTrim(t, fsys.thpDir()+"/hugepages-64kB/enabled"); !strings.HasPrefix(got, "inherit") {
		t.Errorf("knob file holds %q", got)
	}
}

// The host's THP settings, read by hand, agree; one per-size knob is
// changed and restored.
func TestTHPLive(t *testing.T) {
	thp, err := ReadTHP()
	if errors.Is(err, errors.ErrUnsupported) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "["+thp.Enabled.Mode.String()+"]") {
		t.Errorf("enabled %v, file %q", thp.Enabled.Mode, b)
	}
	i := slices.IndexFunc(thp.Sizes, func(m MTHP) bool { return m.Enabled.Mode != 0 })
	if i < 0 {
		t.Skip("no per-size THP knobs (before 6.8)")
	}
	m := thp.Sizes[i]
	other := THPNever
	if m.Enabled.Mode == THPNever {
		other = THPInherit
	}
	fsys := Default()
	if err := fsys.SetMTHPEnabled(m.Size, other); err != nil {
		if errors.Is(err, fs.ErrPermission) {
			t.Skipf("needs root: %v", err)
		}
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := fsys.SetMTHPEnabled(m.Size, m.Enabled.Mode); err != nil {
			t.Errorf("restoring %s THP to %v: %v", FormatSize(m.Size), m.Enabled.Mode, err)
		}
	})
	again, err := ReadTHP()
	if err != nil {
		t.Fatal(err)
	}
	if again.Sizes[i].Enabled.Mode != other {
		t.Errorf("after setting %v: %v", other, again.Sizes[i].Enabled.Mode)
	}
}

// PR_SET_THP_DISABLE belongs to the whole process: a child's.
func TestProcessTHPDisable(t *testing.T) {
	testutil.RunInChild(t, nil, func(t *testing.T) {
		if on, err := ProcessTHPDisabled(); err != nil || on {
			t.Fatalf("ProcessTHPDisabled at start = %v, %v", on, err)
		}
		if err := DisableProcessTHP(); err != nil {
			t.Fatal(err)
		}
		if on, err := ProcessTHPDisabled(); err != nil || !on {
			t.Fatalf("after DisableProcessTHP = %v, %v", on, err)
		}
		if err := EnableProcessTHP(); err != nil {
			t.Fatal(err)
		}
		if on, err := ProcessTHPDisabled(); err != nil || on {
			t.Fatalf("after EnableProcessTHP = %v, %v", on, err)
		}
	})
}

func FuzzParseTHPKnob(f *testing.F) {
	for _, s := range []string{"always [madvise] never\n", "[never]", "", "[x]"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		k, err := parseTHPKnob(b)
		if err != nil {
			return
		}
		var words []string
		for _, c := range k.Choices {
			if c == k.Mode {
				words = append(words, "["+c.String()+"]")
			} else {
				words = append(words, c.String())
			}
		}
		back, err := parseTHPKnob([]byte(strings.Join(words, " ")))
		if err != nil || !reflect.DeepEqual(back, k) {
			t.Fatalf("%q -> %+v -> %+v, %v", b, k, back, err)
		}
	})
}
