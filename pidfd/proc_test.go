package pidfd

import (
	"os"
	"path/filepath"
	"testing"
)

func TestParseFdinfoPid(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int
		ok   bool
	}{
		{"pos:\t0\nflags:\t02004000\nPid:\t123\nNSpid:\t123\t1\n", 123, true},
		{"Pid:\t-1\nNSpid:\t-1\n", -1, true},
		{"Pid:\t0\n", 0, true},
		{"Pid: 7", 7, true}, // no newline at the end
		{"pos:\t0\nflags:\t02\n", 0, false},
		{"", 0, false},
		{"Pid:\t-2\n", 0, false},
		{"Pid:\tx\n", 0, false},
		{"Pid:\t99999999999\n", 0, false},
		{"NSpid:\t5\n", 0, false},
	} {
		got, err := parseFdinfoPid([]byte(c.in))
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("parseFdinfoPid(%q) = %d, %v; want %d, ok=%v", c.in, got, err, c.want, c.ok)
		}
	}
}

func TestParseFdinfoFixtures(t *testing.T) {
	for name, want := range map[string]int{
		"fdinfo-6.18.txt": 5516, "fdinfo-reaped.txt": -1, "fdinfo-otherns.txt": 0, "fdinfo-notpidfd.txt": 0,
	} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		got, err := parseFdinfoPid(b)
		if name == "fdinfo-notpidfd.txt" {
			if err != errNotPidfd {
				t.Errorf("%s: %v, want errNotPidfd", name, err)
			}
			continue
		}
		if err != nil || got != want {
			t.Errorf("%s: %d, %v; want %d", name, got, err, want)
		}
	}
}

func TestParseStatus(t *testing.T) {
	for _, c := range []struct {
		file string
		want procStatus
	}{
		{"status-cat-6.18.txt", procStatus{pid: 6326, tgid: 6326, ppid: 6323}},
		{"status-setuid-thread.txt", procStatus{pid: 4243, tgid: 4242, ppid: 1,
			uid: [4]uint32{1000, 0, 0, 0}, gid: [4]uint32{100, 4294967294, 100, 65534}}},
	} {
		b, err := os.ReadFile(filepath.Join("testdata", c.file))
		if err != nil {
			t.Fatal(err)
		}
		got, err := parseStatus(b)
		if err != nil || got != c.want {
			t.Errorf("%s: %+v, %v; want %+v", c.file, got, err, c.want)
		}
	}
	for _, bad := range []string{
		"",
		"Pid:\t1\nTgid:\t1\nPPid:\t0\nUid:\t0\t0\t0\t0\n", // no Gid
		"Pid:\t1\nTgid:\t1\nPPid:\t0\nUid:\t0\t0\t0\nGid:\t0\t0\t0\t0\n",
		"Pid:\t1\nTgid:\t1\nPPid:\t0\nUid:\t0\t0\t0\t4294967296\nGid:\t0\t0\t0\t0\n",
		"Pid:\t-1\nTgid:\t1\nPPid:\t0\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n",
		"Pid:\t3000000000\nTgid:\t1\nPPid:\t0\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n",
	} {
		if st, err := parseStatus([]byte(bad)); err == nil {
			t.Errorf("parseStatus(%q) = %+v, want an error", bad, st)
		}
	}
}

func TestParseAllocs(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "status-cat-6.18.txt"))
	if err != nil {
		t.Fatal(err)
	}
	fdinfo := []byte("pos:\t0\nflags:\t02004000\nPid:\t123\n")
	if n := testing.AllocsPerRun(100, func() {
		parseStatus(b)
		parseFdinfoPid(fdinfo)
	}); n != 0 {
		t.Errorf("parsers allocate %v times", n)
	}
}

func FuzzParseFdinfoPid(f *testing.F) {
	for _, s := range []string{"Pid:\t1\n", "Pid:\t-1\nNSpid:\t-1\n", "flags:\t0\n", "Pid:"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		pid, err := parseFdinfoPid(b)
		if err == nil && (pid < -1 || pid > 1<<31-1) {
			t.Errorf("pid %d out of range", pid)
		}
	})
}

func FuzzParseStatus(f *testing.F) {
	for _, name := range []string{"status-cat-6.18.txt", "status-setuid-thread.txt"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		st, err := parseStatus(b)
		if err == nil && (st.pid < 0 || st.tgid < 0 || st.ppid < 0) {
			t.Errorf("negative ids %+v", st)
		}
	})
}
