package kernel_test

import (
	"errors"
	"io/fs"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/lxgo/lx/internal/testutil"
	"github.com/lxgo/lx/kernel"
)

func TestMain(m *testing.M) { testutil.Main(m) }

func TestParseVersion(t *testing.T) {
	for _, c := range []struct {
		in   string
		want kernel.Version
	}{
		{"6.18.44-fc-v669", kernel.Version{6, 18, 44}},
		{"6.1.0-56-amd64", kernel.Version{6, 1, 0}},
		{"5.10", kernel.Version{5, 10, 0}},
		{"4.19.0+", kernel.Version{4, 19, 0}},
		{"6.9.0-rc3", kernel.Version{6, 9, 0}},
		{"6.8-rc1", kernel.Version{6, 8, 0}},
		{"3.10.0-1160.el7.x86_64", kernel.Version{3, 10, 0}},
		{"2.6.32", kernel.Version{2, 6, 32}},
		{"6.12.1.2", kernel.Version{6, 12, 1}},
		{"5.15.167.4-microsoft-standard-WSL2", kernel.Version{5, 15, 167}},
		{"6.5.", kernel.Version{6, 5, 0}},
	} {
		got, err := kernel.ParseVersion(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseVersion(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "6", "6.", "6-rc1", ".6.1", "v6.1", "abc", " 6.1", "-6.1", "6.x", "99999999999999999999.1"} {
		if v, err := kernel.ParseVersion(bad); err == nil {
			t.Errorf("ParseVersion(%q) = %v, want an error", bad, v)
		} else if !strings.Contains(err.Error(), "kernel version") {
			t.Errorf("ParseVersion(%q) error %q does not say what it parsed", bad, err)
		}
	}
}

func TestVersionString(t *testing.T) {
	for _, c := range []struct {
		v    kernel.Version
		want string
	}{
		{kernel.V(6, 9), "6.9"},
		{kernel.Version{6, 18, 44}, "6.18.44"},
		{kernel.Version{}, "0.0"},
	} {
		if got := c.v.String(); got != c.want {
			t.Errorf("%#v.String() = %q, want %q", c.v, got, c.want)
		}
		if c.v.Patch == 0 || c.v.IsZero() {
			continue
		}
		if back, err := kernel.ParseVersion(c.v.String()); err != nil || back != c.v {
			t.Errorf("ParseVersion(%q) = %v, %v", c.v.String(), back, err)
		}
	}
}

func TestCompare(t *testing.T) {
	ordered := []kernel.Version{
		{}, {2, 6, 32}, {3, 0, 0}, {4, 19, 0}, {5, 9, 0}, {5, 10, 0}, {5, 10, 1}, {5, 10, 200}, {6, 1, 0}, {6, 18, 44}, {10, 0, 0},
	}
	for i, a := range ordered {
		for j, b := range ordered {
			want := 0
			if i < j {
				want = -1
			} else if i > j {
				want = 1
			}
			if got := a.Compare(b); got != want {
				t.Errorf("%v.Compare(%v) = %d, want %d", a, b, got, want)
			}
			if got := a.AtLeast(b); got != (i >= j) {
				t.Errorf("%v.AtLeast(%v) = %v", a, b, got)
			}
		}
	}
	if !(kernel.Version{}).IsZero() || kernel.V(0, 1).IsZero() {
		t.Error("IsZero wrong")
	}
	if kernel.V(6, 9) != (kernel.Version{Major: 6, Minor: 9}) {
		t.Error("V(6, 9) wrong")
	}
}

func TestFeatureError(t *testing.T) {
	inner := os.NewSyscallError("pidfd_open", syscall.ENOSYS)
	err := error(&kernel.FeatureError{Feature: "pidfd", MinKernel: kernel.V(5, 3), Err: inner})
	if !errors.Is(err, errors.ErrUnsupported) {
		t.Error("FeatureError does not match errors.ErrUnsupported")
	}
	if !errors.Is(err, syscall.ENOSYS) || errors.Unwrap(err) != inner {
		t.Error("FeatureError does not unwrap to the kernel's error")
	}
	if errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EPERM) {
		t.Error("FeatureError matches an unrelated error")
	}
	if got, want := err.Error(), "pidfd is not supported by this kernel (needs Linux 5.3 or newer): pidfd_open: function not implemented"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	bare := &kernel.FeatureError{Feature: "x"}
	if got := bare.Error(); got != "x is not supported by this kernel" {
		t.Errorf("Error() without version or cause = %q", got)
	}
	if bare.Unwrap() != nil || !errors.Is(bare, errors.ErrUnsupported) {
		t.Error("bare FeatureError")
	}
	var fe *kernel.FeatureError
	wrapped := errors.Join(errors.New("context"), err)
	if !errors.As(wrapped, &fe) || fe.MinKernel != kernel.V(5, 3) {
		t.Error("errors.As through a wrapper failed")
	}
}

// TestRunning compares with /proc/sys/kernel/osrelease, a source other
// than the uname(2) that Running uses.
func TestRunning(t *testing.T) {
	b, err := os.ReadFile("/proc/sys/kernel/osrelease")
	if err != nil {
		t.Fatal(err)
	}
	release := strings.TrimSpace(string(b))
	want, err := kernel.ParseVersion(release)
	if err != nil {
		t.Fatal(err)
	}
	got, err := kernel.Running()
	if err != nil || got != want {
		t.Errorf("Running() = %v, %v; want %v", got, err, want)
	}
	if r, err := kernel.Release(); err != nil || r != release {
		t.Errorf("Release() = %q, %v; want %q", r, err, release)
	}
	var u syscall.Utsname
	if err := syscall.Uname(&u); err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	for _, c := range u.Release {
		if c == 0 {
			break
		}
		sb.WriteByte(byte(c))
	}
	if sb.String() != release {
		t.Errorf("uname release %q differs from osrelease %q", sb.String(), release)
	}
}
