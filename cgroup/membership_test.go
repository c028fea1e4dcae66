package cgroup

import (
	"errors"
	"io/fs"
	"os"
	"reflect"
	"strings"
	"testing"
)

func TestParseMembership(t *testing.T) {
	for _, tc := range []struct {
		name    string
		in      string
		want    []Hierarchy
		wantErr bool
	}{
		{name: "empty", in: "", want: nil},
		{name: "unified root", in: "0::/\n", want: []Hierarchy{{ID: 0, Path: "/"}}},
		{name: "no trailing newline", in: "0::/a", want: []Hierarchy{{ID: 0, Path: "/a"}}},
		{name: "colon in path", in: "0::/a:b:c\n", want: []Hierarchy{{ID: 0, Path: "/a:b:c"}}},
		{name: "deleted", in: "0::/gone (deleted)\n", want: []Hierarchy{{ID: 0, Path: "/gone", Deleted: true}}},
		{name: "v1 deleted suffix is a name", in: "3:pids:/x (deleted)\n",
			want: []Hierarchy{{ID: 3, Controllers: []string{"pids"}, Path: "/x (deleted)"}}},
		{name: "cgroupns outside", in: "0::/../../other\n", want: []Hierarchy{{ID: 0, Path: "/../../other"}}},
		{name: "hybrid", in: "4:memory:/process_api/x\n2:cpu,cpuacct:/\n1:name=systemd:/init.scope\n0::/init.scope\n",
			want: []Hierarchy{
				{ID: 4, Controllers: []string{"memory"}, Path: "/process_api/x"},
				{ID: 2, Controllers: []string{"cpu", "cpuacct"}, Path: "/"},
				{ID: 1, Controllers: []string{"name=systemd"}, Path: "/init.scope"},
				{ID: 0, Path: "/init.scope"},
			}},
		{name: "blank line", in: "0::/\n\n", want: []Hierarchy{{ID: 0, Path: "/"}}},
		{name: "one colon", in: "0:/\n", wantErr: true},
		{name: "no colon", in: "garbage\n", wantErr: true},
		{name: "bad id", in: "x::/\n", wantErr: true},
		{name: "negative id", in: "-1::/\n", wantErr: true},
		{name: "huge id", in: "99999999999::/\n", wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := parseMembership([]byte(tc.in))
			if tc.wantErr {
				if err == nil {
					t.Fatalf("parse %q = %+v, want an error", tc.in, m)
				}
				if !strings.Contains(err.Error(), "cgroup line") {
					t.Errorf("error %q does not name the line", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("parse %q: %v", tc.in, err)
			}
			if !reflect.DeepEqual(m.Hierarchies, tc.want) {
				t.Fatalf("parse %q =\n%+v\nwant\n%+v", tc.in, m.Hierarchies, tc.want)
			}
		})
	}
}

func TestHierarchyString(t *testing.T) {
	for _, line := range []string{"0::/", "4:memory:/a/b", "2:cpu,cpuacct:/", "1:name=systemd:/x", "0::/gone (deleted)"} {
		m, err := parseMembership([]byte(line + "\n"))
		if err != nil || len(m.Hierarchies) != 1 {
			t.Fatalf("parse %q = %+v, %v", line, m, err)
		}
		if got := m.Hierarchies[0].String(); got != line {
			t.Errorf("String() = %q, want %q", got, line)
		}
	}
}

func TestMembershipFixtures(t *testing.T) {
	for _, tc := range []struct {
		root          string
		pid           int // 0 = Self
		unified       string
		unifiedOK     bool
		memory        string
		memoryOK      bool
		nHierarchies  int
		cpuacctPath   string
		cpuacctShared bool
	}{
		{root: "hybrid", unified: "/", unifiedOK: true, memory: "/process_api/277a156d270e1b704a6dc751de2e8baf", memoryOK: true, nHierarchies: 10, cpuacctPath: "/"},
		{root: "hybrid", pid: 4242, unified: "/system.slice/cron.service", unifiedOK: true, memory: "/system.slice/cron.service", memoryOK: true, nHierarchies: 4, cpuacctPath: "/system.slice/cron.service"},
		{root: "unified", unified: "/user.slice/user-1000.slice/user@1000.service/app.slice/a:b.scope", unifiedOK: true, nHierarchies: 1},
		{root: "legacy", memory: "/user.slice/user-1000.slice", memoryOK: true, nHierarchies: 4, cpuacctPath: "/user.slice"},
	} {
		fsys := NewFS(&Options{Root: "testdata/" + tc.root})
		var m Membership
		var err error
		if tc.pid == 0 {
			m, err = fsys.Self()
		} else {
			m, err = fsys.OfProcess(tc.pid)
		}
		if err != nil {
			t.Fatalf("%s/%d: %v", tc.root, tc.pid, err)
		}
		if len(m.Hierarchies) != tc.nHierarchies {
			t.Errorf("%s/%d: %d hierarchies, want %d", tc.root, tc.pid, len(m.Hierarchies), tc.nHierarchies)
		}
		if p, ok := m.Unified(); p != tc.unified || ok != tc.unifiedOK {
			t.Errorf("%s/%d: Unified() = %q, %v; want %q, %v", tc.root, tc.pid, p, ok, tc.unified, tc.unifiedOK)
		}
		if p, ok := m.Controller("memory"); p != tc.memory || ok != tc.memoryOK {
			t.Errorf("%s/%d: Controller(memory) = %q, %v; want %q, %v", tc.root, tc.pid, p, ok, tc.memory, tc.memoryOK)
		}
		if p, _ := m.Controller("cpuacct"); p != tc.cpuacctPath {
			t.Errorf("%s/%d: Controller(cpuacct) = %q, want %q", tc.root, tc.pid, p, tc.cpuacctPath)
		}
	}
}

func TestOfProcessErrors(t *testing.T) {
	fsys := NewFS(&Options{Root: "testdata/hybrid"})
	if _, err := fsys.OfProcess(7); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("OfProcess(missing pid) = %v, want fs.ErrNotExist", err)
	}
	for _, pid := range []int{0, -1} {
		if _, err := fsys.OfProcess(pid); err == nil || !strings.Contains(err.Error(), "invalid pid") {
			t.Errorf("OfProcess(%d) = %v, want an invalid pid error", pid, err)
		}
	}
}

// TestSelfLive compares Self with the test's own reading of
// /proc/self/cgroup.
func TestSelfLive(t *testing.T) {
	raw, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		t.Fatal(err)
	}
	m, err := Self()
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n")
	if len(m.Hierarchies) != len(lines) {
		t.Fatalf("Self has %d hierarchies, the file %d lines:\n%s", len(m.Hierarchies), len(lines), raw)
	}
	for i, line := range lines {
		if got := m.Hierarchies[i].String(); got != line {
			t.Errorf("hierarchy %d = %q, file says %q", i, got, line)
		}
		if path, ok := strings.CutPrefix(line, "0::"); ok {
			if got, ok := m.Unified(); !ok || got != path {
				t.Errorf("Unified() = %q, %v; file says %q", got, ok, path)
			}
		}
	}
	other, err := OfProcess(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(other, m) {
		t.Errorf("OfProcess(getpid) = %+v, Self = %+v", other, m)
	}
	if _, err := OfProcess(1 << 30); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("OfProcess(no such pid) = %v, want fs.ErrNotExist", err)
	}
}

func FuzzParseMembership(f *testing.F) {
	for _, s := range []string{
		"0::/\n",
		"4:memory:/process_api/x\n1:name=systemd:/\n0::/init.scope\n",
		"0::/gone (deleted)\n",
		"12:cpu,cpuacct:/a:b\n",
		"x::\n", "::\n", "0:\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := parseMembership(b)
		if err != nil {
			return
		}
		// Round trip: formatting each hierarchy and parsing the result
		// gives the same values.
		var sb strings.Builder
		for _, h := range m.Hierarchies {
			sb.WriteString(h.String())
			sb.WriteByte('\n')
		}
		back, err := parseMembership([]byte(sb.String()))
		if err != nil {
			t.Fatalf("reparse of %q: %v", sb.String(), err)
		}
		if !reflect.DeepEqual(back, m) {
			t.Fatalf("round trip of %q:\n%+v\n%+v", b, m, back)
		}
	})
}

func BenchmarkParseMembership(b *testing.B) {
	in, err := os.ReadFile("testdata/hybrid/proc/self/cgroup")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parseMembership(in); err != nil {
			b.Fatal(err)
		}
	}
}
