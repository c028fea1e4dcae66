package procfs

import (
	"errors"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/lxgo/lx/internal/sys"
)

func TestKernelInfoRoot(t *testing.T) {
	fs := systemRoot(t, map[string]string{
		"sys/kernel/random/boot_id": "4a5887f2-2fd3-488e-8a76-e81652936b28\n",
		"sys/kernel/hostname":       "host.example\n",
		"sys/kernel/domainname":     "(none)\n",
		"sys/kernel/ostype":         "Linux\n",
		"sys/kernel/osrelease":      "6.1.0-56-amd64\n",
		"sys/kernel/version":        "#1 SMP PREEMPT_DYNAMIC Debian 6.1.148-1 (2025-08-26)\n",
		"sys/kernel/pid_max":        "4194304\n",
	})
	for _, tt := range []struct {
		fn   func() (string, error)
		want string
	}{
		{fs.BootID, "4a5887f2-2fd3-488e-8a76-e81652936b28"},
		{fs.Hostname, "host.example"},
		{fs.Domainname, "(none)"},
		{fs.OSType, "Linux"},
		{fs.OSRelease, "6.1.0-56-amd64"},
		{fs.Version, "#1 SMP PREEMPT_DYNAMIC Debian 6.1.148-1 (2025-08-26)"},
	} {
		if got, err := tt.fn(); got != tt.want || err != nil {
			t.Errorf("got %q, %v; want %q", got, err, tt.want)
		}
	}
	if n, err := fs.PidMax(); n != 4194304 || err != nil {
		t.Errorf("PidMax = %d, %v", n, err)
	}
	for _, bad := range []string{"", "0\n", "-5\n", "x\n", "99999999999\n"} {
		fs := systemRoot(t, map[string]string{"sys/kernel/pid_max": bad})
		if n, err := fs.PidMax(); err == nil {
			t.Errorf("PidMax(%q) = %d, want an error", bad, n)
		}
	}
	empty := systemRoot(t, nil)
	if _, err := empty.Hostname(); !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "hostname") {
		t.Errorf("missing file: %v", err)
	}
}

var bootIDFormat = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestKernelInfoKernel(t *testing.T) {
	fs := Default()
	id, err := fs.BootID()
	if err != nil {
		t.Fatal(err)
	}
	if !bootIDFormat.MatchString(id) {
		t.Errorf("BootID %q is not a version 4 UUID", id)
	}
	raw, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil {
		t.Fatal(err)
	}
	if id != strings.TrimSpace(string(raw)) {
		t.Errorf("BootID %q, file %q", id, raw)
	}

	host, err := fs.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	if want, _ := os.Hostname(); host != want {
		t.Errorf("Hostname %q, os.Hostname %q", host, want)
	}

	u, err := sys.Uname()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		fn   func() (string, error)
		want string
	}{
		{"Hostname", fs.Hostname, u.Nodename},
		{"Domainname", fs.Domainname, u.Domainname},
		{"OSType", fs.OSType, u.Sysname},
		{"OSRelease", fs.OSRelease, u.Release},
		{"Version", fs.Version, u.Version},
	} {
		if got, err := tt.fn(); got != tt.want || err != nil {
			t.Errorf("%s = %q, %v; uname says %q", tt.name, got, err, tt.want)
		}
	}

	n, err := fs.PidMax()
	if err != nil {
		t.Fatal(err)
	}
	raw, err = os.ReadFile("/proc/sys/kernel/pid_max")
	if err != nil {
		t.Fatal(err)
	}
	if want, _ := strconv.Atoi(strings.TrimSpace(string(raw))); n != want || n < 301 || n > 1<<22 {
		t.Errorf("PidMax %d, file %q", n, raw)
	}
	if os.Getpid() >= n {
		t.Errorf("PidMax %d <= our pid %d", n, os.Getpid())
	}
}
