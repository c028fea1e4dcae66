package procfs

import (
	"errors"
	"os"
	"testing"
)

func TestParseLoadAvg(t *testing.T) {
	tests := []struct {
		in   string
		want LoadAvg
		err  bool
	}{
		{in: "1.10 0.30 0.12 6/124 8415\n", want: LoadAvg{1.10, 0.30, 0.12, 6, 124, 8415}},
		{in: "123.45 67.89 0.00 100/20000 4194303\n", want: LoadAvg{123.45, 67.89, 0, 100, 20000, 4194303}},
		{in: "0.00 0.00 0.00 0/0 0", want: LoadAvg{}},
		{in: "1.10 0.30 0.12 6/124", err: true},
		{in: "1.10 0.30 0.12 6/124 8415 9", err: true},
		{in: "1.10 0.30 0.12 6-124 8415", err: true},
		{in: "1.10 0.30 x 6/124 8415", err: true},
		{in: "1.10 0.30 0.12 /124 8415", err: true},
		{in: "1.10 0.30 0.12 6/124 -1", err: true},
		{in: "1.10 0.30 0.12 6/99999999999 1", err: true},
		{in: "", err: true},
	}
	for _, tt := range tests {
		got, err := parseLoadAvg([]byte(tt.in))
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("parseLoadAvg(%q) = %+v, %v; want %+v, err %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func TestLoadAvgFixtures(t *testing.T) {
	for _, name := range []string{"loadavg-6.18", "loadavg-busy"} {
		if _, err := parseLoadAvg(systemFixture(t, name)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestLoadAvgKernel(t *testing.T) {
	fs := Default()
	l, err := fs.LoadAvg()
	if err != nil {
		t.Fatal(err)
	}
	// The reading thread itself is running.
	if l.Running < 1 || l.Total < l.Running || l.Load1 < 0 || l.Load5 < 0 || l.Load15 < 0 {
		t.Errorf("implausible: %+v", l)
	}
	max, err := fs.PidMax()
	if err != nil {
		t.Fatal(err)
	}
	if l.LastPID >= max {
		t.Errorf("LastPID %d >= pid_max %d", l.LastPID, max)
	}
	if _, err := systemRoot(t, nil).LoadAvg(); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func TestLoadAvgAllocs(t *testing.T) {
	if systemRace {
		t.Skip("sync.Pool drops buffers under the race detector")
	}
	fs := Default()
	fs.LoadAvg()
	if n := testing.AllocsPerRun(50, func() { fs.LoadAvg() }); n != 0 {
		t.Errorf("LoadAvg allocates %v times per call", n)
	}
	fs.Uptime()
	if n := testing.AllocsPerRun(50, func() { fs.Uptime() }); n != 0 {
		t.Errorf("Uptime allocates %v times per call", n)
	}
}

func FuzzParseLoadAvg(f *testing.F) {
	seedSystemFixtures(f, "loadavg-")
	f.Fuzz(func(t *testing.T, b []byte) {
		l, err := parseLoadAvg(b)
		if err == nil && (l.Running < 0 || l.Total < 0 || l.LastPID < 0) {
			t.Errorf("negative count: %+v", l)
		}
	})
}

func BenchmarkLoadAvg(b *testing.B) {
	fs := Default()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := fs.LoadAvg(); err != nil {
			b.Fatal(err)
		}
	}
}
