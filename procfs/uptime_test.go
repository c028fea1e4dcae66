package procfs

import (
	"errors"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/lxgo/lx/internal/sys"
)

func TestParseUptime(t *testing.T) {
	tests := []struct {
		in   string
		want Uptime
		err  bool
	}{
		{in: "2175.17 4228.98\n", want: Uptime{2175*time.Second + 170*time.Millisecond, 4228*time.Second + 980*time.Millisecond}},
		{in: "31536000.99 63072000.12\n", want: Uptime{31536000*time.Second + 990*time.Millisecond, 63072000*time.Second + 120*time.Millisecond}},
		{in: "0.00 0.00", want: Uptime{}},
		{in: "12 7.123456789123", want: Uptime{12 * time.Second, 7*time.Second + 123456789}},
		{in: "9223372036.85 0", want: Uptime{9223372036*time.Second + 850*time.Millisecond, 0}},
		{in: "9223372037.00 0", err: true},
		{in: "9223372036.86 0", err: true},
		{in: "1.00", err: true},
		{in: "1.00 2.00 3.00", err: true},
		{in: "1.0x 2.00", err: true},
		{in: "-1.00 2.00", err: true},
		{in: ".5 2.00", err: true},
		{in: "", err: true},
	}
	for _, tt := range tests {
		got, err := parseUptime([]byte(tt.in))
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("parseUptime(%q) = %v, %v; want %v, err %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func TestUptimeFixtures(t *testing.T) {
	for _, name := range []string{"uptime-6.18", "uptime-one-year", "uptime-zero"} {
		if _, err := parseUptime(systemFixture(t, name)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestUptimeKernel(t *testing.T) {
	fs := Default()
	u1, err := fs.Uptime()
	if err != nil {
		t.Fatal(err)
	}
	si, err := sys.GetSysinfo()
	if err != nil {
		t.Fatal(err)
	}
	u2, err := fs.Uptime()
	if err != nil {
		t.Fatal(err)
	}
	if u2.Total < u1.Total || u2.Idle < u1.Idle {
		t.Errorf("uptime went backwards: %v then %v", u1, u2)
	}
	// sysinfo rounds CLOCK_BOOTTIME up to whole seconds.
	s := time.Duration(si.UptimeSeconds) * time.Second
	if s < u1.Total.Truncate(time.Second) || s > u2.Total+time.Second {
		t.Errorf("sysinfo uptime %v, /proc/uptime %v and %v", s, u1.Total, u2.Total)
	}
	if u1.Total <= 0 {
		t.Errorf("Total %v", u1.Total)
	}
}

func TestUptimeRoot(t *testing.T) {
	fs := systemRoot(t, map[string]string{"uptime": "1.50 3.00\n"})
	u, err := fs.Uptime()
	if err != nil || u != (Uptime{1500 * time.Millisecond, 3 * time.Second}) {
		t.Errorf("got %v, %v", u, err)
	}
	fs = systemRoot(t, map[string]string{"uptime": "x\n"})
	if _, err := fs.Uptime(); err == nil {
		t.Error("no error for a bad file")
	}
	if _, err := systemRoot(t, nil).Uptime(); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func FuzzParseUptime(f *testing.F) {
	seedSystemFixtures(f, "uptime-")
	f.Fuzz(func(t *testing.T, b []byte) {
		u, err := parseUptime(b)
		if err != nil {
			return
		}
		if u.Total < 0 || u.Idle < 0 {
			t.Errorf("negative: %v", u)
		}
		// The whole seconds must round-trip through strconv.
		s := strconv.FormatInt(int64(u.Total/time.Second), 10) + " " + strconv.FormatInt(int64(u.Idle/time.Second), 10)
		if v, err := parseUptime([]byte(s)); err != nil || v.Total != u.Total.Truncate(time.Second) || v.Idle != u.Idle.Truncate(time.Second) {
			t.Errorf("round trip of %q: %v, %v", s, v, err)
		}
	})
}

func BenchmarkUptime(b *testing.B) {
	fs := Default()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := fs.Uptime(); err != nil {
			b.Fatal(err)
		}
	}
}
