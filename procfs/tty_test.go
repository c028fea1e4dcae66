package procfs

import (
	"errors"
	"slices"
	"testing"
)

func TestParseTTYDrivers(t *testing.T) {
	got, err := parseTTYDrivers(readFixture(t, "tty-drivers-6.18"))
	if err != nil {
		t.Fatal(err)
	}
	want := TTYDrivers{
		{Driver: "/dev/tty", Node: "/dev/tty", Major: 5, MinorFirst: 0, MinorLast: 0, Type: "system:/dev/tty"},
		{Driver: "/dev/console", Node: "/dev/console", Major: 5, MinorFirst: 1, MinorLast: 1, Type: "system:console"},
		{Driver: "/dev/ptmx", Node: "/dev/ptmx", Major: 5, MinorFirst: 2, MinorLast: 2, Type: "system"},
		{Driver: "/dev/vc/0", Node: "/dev/vc/0", Major: 4, MinorFirst: 0, MinorLast: 0, Type: "system:vtmaster"},
		{Driver: "serial", Node: "/dev/ttyS", Major: 4, MinorFirst: 64, MinorLast: 64, Type: "serial"},
		{Driver: "pty_slave", Node: "/dev/pts", Major: 136, MinorFirst: 0, MinorLast: 1<<20 - 1, Type: "pty:slave"},
		{Driver: "pty_master", Node: "/dev/ptm", Major: 128, MinorFirst: 0, MinorLast: 1<<20 - 1, Type: "pty:master"},
		{Driver: "unknown", Node: "/dev/tty", Major: 4, MinorFirst: 1, MinorLast: 63, Type: "console"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("parseTTYDrivers\n got %+v\nwant %+v", got, want)
	}
	for _, bad := range []string{
		"serial /dev/ttyS 4\n",
		"/dev/ttyS 4 64 serial\n",
		"serial ttyS 4 64 serial\n",
		"serial /dev/ttyS x 64 serial\n",
		"serial /dev/ttyS 4096 64 serial\n",
		"serial /dev/ttyS 4 64-63 serial\n",
		"serial /dev/ttyS 4 1048576 serial\n",
		"serial /dev/ttyS 4 1-x serial\n",
	} {
		var pe *ParseError
		if _, err := parseTTYDrivers([]byte("\n" + bad)); !errors.As(err, &pe) || pe.Line != 2 {
			t.Errorf("parseTTYDrivers(%q) error %v, want a *ParseError at line 2", bad, err)
		}
	}
}

func TestTTYDriversName(t *testing.T) {
	for _, c := range []struct {
		fixture      string
		major, minor uint32
		want         string // "" for not ok
	}{
		{"tty-drivers-desktop", 136, 3, "pts/3"},
		{"tty-drivers-desktop", 136, 300, "pts/300"},
		{"tty-drivers-desktop", 136, 1<<20 - 1, "pts/1048575"},
		{"tty-drivers-desktop", 4, 1, "tty1"},
		{"tty-drivers-desktop", 4, 63, "tty63"},
		{"tty-drivers-desktop", 4, 64, "ttyS0"},
		{"tty-drivers-desktop", 4, 95, "ttyS31"},
		{"tty-drivers-desktop", 4, 96, ""},
		{"tty-drivers-desktop", 188, 0, "ttyUSB0"},
		{"tty-drivers-desktop", 166, 2, "ttyACM2"},
		{"tty-drivers-desktop", 216, 1, "rfcomm1"},
		{"tty-drivers-desktop", 5, 0, "tty"},
		{"tty-drivers-desktop", 5, 1, "console"},
		{"tty-drivers-desktop", 5, 2, "ptmx"},
		{"tty-drivers-desktop", 4, 0, "tty0"},
		{"tty-drivers-desktop", 0, 0, ""},
		{"tty-drivers-desktop", 200, 1, ""},
		{"tty-drivers-6.18", 4, 64, "ttyS0"},
		{"tty-drivers-6.18", 4, 65, ""},
		{"tty-drivers-arm64-amba", 204, 64, "ttyAMA0"},
		{"tty-drivers-arm64-amba", 204, 77, "ttyAMA13"},
		{"tty-drivers-arm64-amba", 229, 0, "hvc0"},
		{"tty-drivers-arm64-amba", 229, 7, "hvc7"},
		{"tty-drivers-2.6-legacy-pty", 3, 0, "ttyp0"},
		{"tty-drivers-2.6-legacy-pty", 3, 17, "ttyq1"},
		{"tty-drivers-2.6-legacy-pty", 3, 255, "ttyef"},
		{"tty-drivers-2.6-legacy-pty", 2, 16, "ptyq0"},
		{"tty-drivers-2.6-legacy-pty", 4, 67, "ttyS3"},
		{"tty-drivers-2.6-legacy-pty", 136, 0, "pts/0"},
	} {
		d, err := parseTTYDrivers(readFixture(t, c.fixture))
		if err != nil {
			t.Fatal(err)
		}
		got, ok := d.Name(Dev{Major: c.major, Minor: c.minor})
		if got != c.want || ok != (c.want != "") {
			t.Errorf("%s: Name(%d:%d) = %q, %v; want %q", c.fixture, c.major, c.minor, got, ok, c.want)
		}
	}
}

func TestTTYDriversTree(t *testing.T) {
	fsys, err := NewFS("testdata/proctree")
	if err != nil {
		t.Fatal(err)
	}
	d, err := fsys.TTYDrivers()
	if err != nil || len(d) != 11 {
		t.Fatalf("TTYDrivers = %d drivers, %v", len(d), err)
	}
	st, err := mustProc(t, fsys, 300).Stat()
	if err != nil {
		t.Fatal(err)
	}
	// tty_nr 0: no controlling terminal.
	if name, ok := d.Name(st.TTY); ok || name != "" {
		t.Errorf("tty of pid 300 (%v): %q %v", st.TTY, name, ok)
	}
	if name, ok := d.Name(decodeDev(34817)); !ok || name != "pts/1" {
		t.Errorf("tty_nr 34817: %q %v", name, ok)
	}
}

func FuzzParseTTYDrivers(f *testing.F) {
	addFixtureSeeds(f, "tty-drivers-")
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := parseTTYDrivers(b)
		if err != nil {
			return
		}
		for _, e := range d {
			if e.MinorFirst > e.MinorLast || e.Major > 1<<12-1 || e.MinorLast > 1<<20-1 {
				t.Fatalf("parseTTYDrivers(%q) accepted %+v", b, e)
			}
			if (e.Major != 0 || e.MinorFirst != 0) && !func() bool { _, ok := d.Name(Dev{Major: e.Major, Minor: e.MinorFirst}); return ok }() {
				t.Fatalf("Name of %d:%d, in %+v, not found", e.Major, e.MinorFirst, e)
			}
		}
	})
}
