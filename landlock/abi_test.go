package landlock

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/lxgo/lx/kernel"
)

// abiRights is landlock(7)'s table of what each ABI version added.
var abiRights = []struct {
	fs    AccessFS
	net   AccessNet
	scope Scope
	flags RestrictFlags
	min   kernel.Version
}{
	1: {fs: Execute | WriteFile | ReadFile | ReadDir | RemoveDir | RemoveFile | MakeChar | MakeDir | MakeReg | MakeSock | MakeFifo | MakeBlock | MakeSym, min: kernel.V(5, 13)},
	2: {fs: Refer, min: kernel.V(5, 19)},
	3: {fs: Truncate, min: kernel.V(6, 2)},
	4: {net: BindTCP | ConnectTCP, min: kernel.V(6, 7)},
	5: {fs: IoctlDev, min: kernel.V(6, 10)},
	6: {scope: AbstractUnixSocket | Signal, min: kernel.V(6, 12)},
	7: {flags: LogSameExecOff | LogNewExecOn | LogSubdomainsOff, min: kernel.V(6, 15)},
}

func TestABIRights(t *testing.T) {
	var fs AccessFS
	var net AccessNet
	var scope Scope
	var flags RestrictFlags
	if v := ABI(0); v.AccessFS() != 0 || v.AccessNet() != 0 || v.Scopes() != 0 || v.RestrictFlags() != 0 || !v.MinKernel().IsZero() {
		t.Errorf("ABI 0 has rights or a kernel")
	}
	for v := ABI(1); v <= MaxABI; v++ {
		r := abiRights[v]
		fs, net, scope, flags = fs|r.fs, net|r.net, scope|r.scope, flags|r.flags
		if v.AccessFS() != fs || v.AccessNet() != net || v.Scopes() != scope || v.RestrictFlags() != flags {
			t.Errorf("%s: got %s %s %s %s, want %s %s %s %s", v, v.AccessFS(), v.AccessNet(), v.Scopes(), v.RestrictFlags(), fs, net, scope, flags)
		}
		if v.MinKernel() != r.min {
			t.Errorf("%s: MinKernel %s, want %s", v, v.MinKernel(), r.min)
		}
	}
	if (MaxABI+1).AccessFS() != fs || !(MaxABI + 1).MinKernel().IsZero() {
		t.Errorf("an ABI newer than lx knows should have lx's rights and no known kernel")
	}
}

// everything handles every right lx knows, with a rule of each kind.
func everything() Options {
	return Options{
		HandledFS:  MaxABI.AccessFS(),
		HandledNet: MaxABI.AccessNet(),
		Scoped:     MaxABI.Scopes(),
		Flags:      MaxABI.RestrictFlags(),
		Paths: []PathRule{
			{Path: "/usr", Access: ReadFile | ReadDir | Execute},
			{Path: "/tmp/refer", Access: Refer},
			{Path: "/dev/null", Access: Truncate | IoctlDev},
		},
		Ports: []PortRule{{Port: 80, Access: ConnectTCP}, {Port: 0, Access: BindTCP}},
		Mode:  BestEffort,
	}
}

func TestMask(t *testing.T) {
	for v := ABI(0); v <= MaxABI; v++ {
		o := everything()
		m, d := o.mask(v)
		if m.HandledFS != v.AccessFS() || m.HandledNet != v.AccessNet() || m.Scoped != v.Scopes() || m.Flags != v.RestrictFlags() {
			t.Errorf("%s: kept %s %s %s %s", v, m.HandledFS, m.HandledNet, m.Scoped, m.Flags)
		}
		if m.HandledFS|d.FS != o.HandledFS || m.HandledFS&d.FS != 0 || m.HandledNet|d.Net != o.HandledNet ||
			m.Scoped|d.Scoped != o.Scoped || m.Flags|d.Flags != o.Flags {
			t.Errorf("%s: kept and dropped do not partition the options: %+v %+v", v, m, d)
		}
		if (v == MaxABI) != d.IsZero() {
			t.Errorf("%s: Dropped.IsZero %v", v, d.IsZero())
		}
		var wantPaths, keptPaths []string
		for _, p := range o.Paths {
			if p.Access&v.AccessFS() == 0 {
				wantPaths = append(wantPaths, p.Path)
			} else {
				keptPaths = append(keptPaths, p.Path)
			}
		}
		var gotKept []string
		for _, p := range m.Paths {
			gotKept = append(gotKept, p.Path)
			if p.Access&^v.AccessFS() != 0 || p.Access == 0 {
				t.Errorf("%s: rule %s keeps %s", v, p.Path, p.Access)
			}
		}
		if !reflect.DeepEqual(d.Paths, wantPaths) || !reflect.DeepEqual(gotKept, keptPaths) {
			t.Errorf("%s: paths kept %q dropped %q, want %q and %q", v, gotKept, d.Paths, keptPaths, wantPaths)
		}
		if v < 4 && (len(m.Ports) != 0 || !reflect.DeepEqual(d.Ports, []int{80, 0})) {
			t.Errorf("%s: ports kept %v dropped %v", v, m.Ports, d.Ports)
		}
		if v >= 4 && (len(m.Ports) != 2 || d.Ports != nil) {
			t.Errorf("%s: ports kept %v dropped %v", v, m.Ports, d.Ports)
		}
		// mask must not change its input.
		if !reflect.DeepEqual(o, everything()) {
			t.Errorf("%s: mask changed its input", v)
		}
	}
	// ABI 1 drops the Refer rule and keeps Truncate's rule only from 3.
	o := everything()
	_, d := o.mask(1)
	if !reflect.DeepEqual(d.Paths, []string{"/tmp/refer", "/dev/null"}) {
		t.Errorf("ABI 1 dropped %q", d.Paths)
	}
}

func TestCheck(t *testing.T) {
	o := everything()
	o.Mode = Strict
	for v := ABI(1); v <= MaxABI; v++ {
		err := o.check(v)
		if v == MaxABI {
			if err != nil {
				t.Errorf("%s: %v", v, err)
			}
			continue
		}
		var fe *kernel.FeatureError
		if !errors.As(err, &fe) || !errors.Is(err, errors.ErrUnsupported) {
			t.Fatalf("%s: got %v, want a *kernel.FeatureError", v, err)
		}
		need := v + 1
		if fe.MinKernel != need.MinKernel() || !strings.Contains(fe.Feature, need.String()) {
			t.Errorf("%s: got %v, want one naming %s and %s", v, err, need, need.MinKernel())
		}
	}
	// Only what is asked for counts: truncate alone needs ABI 3.
	o = Options{HandledFS: ReadFile | Truncate}
	if err := o.check(2); err == nil || !strings.Contains(err.Error(), "ABI 3 (fs.truncate;") {
		t.Errorf("truncate on ABI 2: %v", err)
	}
	if err := o.check(3); err != nil {
		t.Errorf("truncate on ABI 3: %v", err)
	}
}

func TestModeString(t *testing.T) {
	for m, want := range map[Mode]string{Strict: "strict", BestEffort: "best-effort", 5: "Mode(5)"} {
		if got := m.String(); got != want {
			t.Errorf("%d: got %q, want %q", int(m), got, want)
		}
	}
}
