package numa

import (
	"errors"
	"io/fs"
	"strings"
	"syscall"
	"testing"

	"github.com/lxgo/lx/cpuset"
	"github.com/lxgo/lx/internal/sys"
)

// TestModeValues: the modes are the kernel's numbers.
func TestModeValues(t *testing.T) {
	for m, want := range map[Mode]int{
		ModeDefault: 0, ModePreferred: 1, ModeBind: 2, ModeInterleave: 3,
		ModeLocal: 4, ModePreferredMany: 5, ModeWeightedInterleave: 6,
	} {
		if int(m) != want {
			t.Errorf("%v = %d, want %d", m, int(m), want)
		}
	}
	if StaticNodes != 1<<15 || RelativeNodes != 1<<14 || NumaBalancing != 1<<13 {
		t.Error("mode flag values differ from <linux/mempolicy.h>")
	}
}

func TestPolicyText(t *testing.T) {
	for _, tc := range []struct {
		p    Policy
		text string
	}{
		{Policy{}, "default"},
		{Policy{Mode: ModeLocal}, "local"},
		{Policy{Mode: ModePreferred, Nodes: cpuset.Of(1)}, "prefer:1"},
		{Policy{Mode: ModeBind, Nodes: cpuset.Of(0, 1)}, "bind:0-1"},
		{Policy{Mode: ModeInterleave, Flags: StaticNodes, Nodes: cpuset.Of(0, 2)}, "interleave=static:0,2"},
		{Policy{Mode: ModeBind, Flags: RelativeNodes | NumaBalancing, Nodes: cpuset.Of(3)}, "bind=relative|balancing:3"},
		{Policy{Mode: ModePreferredMany, Nodes: cpuset.Of(1)}, "prefer (many):1"},
		{Policy{Mode: ModeWeightedInterleave, Nodes: cpuset.Range(0, 3)}, "weighted interleave:0-3"},
		{Policy{Mode: 9, Flags: 1 << 3, Nodes: cpuset.Of(0)}, "9=0x8:0"},
	} {
		if got := tc.p.String(); got != tc.text {
			t.Errorf("%#v.String() = %q, want %q", tc.p, got, tc.text)
		}
		p, err := ParsePolicy(tc.text)
		if err != nil || p.String() != tc.text || p.Mode != tc.p.Mode || p.Flags != tc.p.Flags || !p.Nodes.Equal(tc.p.Nodes) {
			t.Errorf("ParsePolicy(%q) = %v, %v", tc.text, p, err)
		}
		var u Policy
		if b, _ := tc.p.MarshalText(); u.UnmarshalText(b) != nil || u.String() != tc.text {
			t.Errorf("UnmarshalText(%q) = %v", b, u)
		}
	}
	for _, bad := range []string{"", "bind:", "bind:x", "bind=:0", "bind=none:0", "bind=weird:0", "Bind:0", "prefer(many):1", "2:0", "bind:1024", "default=0x0"} {
		if p, err := ParsePolicy(bad); err == nil || !errors.Is(err, fs.ErrInvalid) || !strings.Contains(err.Error(), "numa") {
			t.Errorf("ParsePolicy(%q) = %v, %v; want an error matching fs.ErrInvalid", bad, p, err)
		}
	}
}

func TestModeFlagsText(t *testing.T) {
	if s := Flags(0).String(); s != "none" {
		t.Errorf("Flags(0) = %q", s)
	}
	for _, s := range []string{"", "none"} {
		if f, err := ParseFlags(s); err != nil || f != 0 {
			t.Errorf("ParseFlags(%q) = %v, %v", s, f, err)
		}
	}
	if f, err := ParseFlags("static|0x3"); err != nil || f != StaticNodes|3 || f.String() != "static|0x3" {
		t.Errorf("ParseFlags = %v, %v", f, err)
	}
	var m Mode
	if err := m.UnmarshalText([]byte("prefer (many)")); err != nil || m != ModePreferredMany {
		t.Errorf("UnmarshalText = %v, %v", m, err)
	}
	if _, err := ParseMode("4"); err == nil {
		t.Error("ParseMode accepted the number of a named mode")
	}
	var f Flags
	if err := f.UnmarshalText([]byte("0x0")); err == nil {
		t.Error("UnmarshalText accepted 0x0")
	}
}

func TestPageStatus(t *testing.T) {
	for _, tc := range []struct {
		s    PageStatus
		node int
		err  error
		text string
	}{
		{0, 0, nil, "0"},
		{3, 3, nil, "3"},
		{-2, -1, sys.ENOENT, "ENOENT"},
		{-14, -1, syscall.EFAULT, "EFAULT"},
		{-4000, -1, nil, "errno 4000"},
	} {
		if tc.s.Node() != tc.node || tc.s.String() != tc.text {
			t.Errorf("PageStatus(%d) = node %d %q", int32(tc.s), tc.s.Node(), tc.s)
		}
		if tc.err != nil && !errors.Is(tc.s.Err(), tc.err) {
			t.Errorf("PageStatus(%d).Err() = %v, want %v", int32(tc.s), tc.s.Err(), tc.err)
		}
		if (tc.s.Err() == nil) != (tc.s >= 0) {
			t.Errorf("PageStatus(%d).Err() = %v", int32(tc.s), tc.s.Err())
		}
	}
	if !errors.Is(PageStatus(-2).Err(), fs.ErrNotExist) {
		t.Error("ENOENT status does not match fs.ErrNotExist")
	}
}
