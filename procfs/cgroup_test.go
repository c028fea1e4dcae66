package procfs

import (
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func TestParseCgroupsFixtures(t *testing.T) {
	type look struct {
		unified string
		uok     bool
		ctrl    map[string]string // controller -> path; "" value means absent
	}
	tests := map[string]struct {
		n    int
		look look
		last Cgroup
	}{
		"cgroup-6.18-hybrid": {10, look{"/", true, map[string]string{"memory": "/process_api/0b204d7b507b1b81d006e131c232173e", "name=systemd": "/", "cpu": "/", "hugetlb": ""}},
			Cgroup{HierarchyID: 0, Path: "/"}},
		"cgroup-v1-only": {11, look{"", false, map[string]string{"memory": "/user.slice/user-1000.slice/session-3.scope", "cpuacct": "/user.slice", "net_prio": "/", "systemd": ""}},
			Cgroup{HierarchyID: 1, Controllers: []string{"name=systemd"}, Path: "/user.slice/user-1000.slice/session-3.scope"}},
		"cgroup-v2": {1, look{"/user.slice/user-1000.slice/user@1000.service/app.slice/app-org.gnome.Terminal.slice/vte-spawn-5c3e.scope", true, map[string]string{"memory": ""}},
			Cgroup{Path: "/user.slice/user-1000.slice/user@1000.service/app.slice/app-org.gnome.Terminal.slice/vte-spawn-5c3e.scope"}},
		"cgroup-v2-odd-path": {1, look{"/system.slice/my:service with space.service", true, nil},
			Cgroup{Path: "/system.slice/my:service with space.service"}},
		"cgroup-v2-deleted-outside-ns": {1, look{"/../../sibling.slice/job-42.scope", true, nil},
			Cgroup{Path: "/../../sibling.slice/job-42.scope", Deleted: true}},
		"cgroup-hybrid-docker": {4, look{"/", true, map[string]string{"cpu": "/docker/4b5c", "rdma": "/"}},
			Cgroup{Path: "/"}},
	}
	for _, name := range fixtureNames(t, "cgroup-") {
		tt, ok := tests[name]
		if !ok {
			t.Errorf("fixture %s has no expectations", name)
			continue
		}
		cs, err := parseCgroups(fileFixture(t, name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(cs) != tt.n {
			t.Errorf("%s: %d lines, want %d", name, len(cs), tt.n)
			continue
		}
		if !reflect.DeepEqual(cs[len(cs)-1], tt.last) {
			t.Errorf("%s: last line %+v, want %+v", name, cs[len(cs)-1], tt.last)
		}
		if p, ok := cs.Unified(); p != tt.look.unified || ok != tt.look.uok {
			t.Errorf("%s: Unified() = %q, %v", name, p, ok)
		}
		for c, want := range tt.look.ctrl {
			if p, ok := cs.Controller(c); p != want || ok != (want != "") {
				t.Errorf("%s: Controller(%q) = %q, %v; want %q", name, c, p, ok, want)
			}
		}
	}
}

func TestParseCgroupsErrors(t *testing.T) {
	for _, in := range []string{"x::/\n", "0:/\n", "no colons\n", "-1::/\n", "99999999999::/\n"} {
		if cs, err := parseCgroups([]byte(in)); err == nil {
			t.Errorf("parseCgroups(%q) = %+v, want error", in, cs)
		}
	}
	// A path may hold colons; the v1 " (deleted)" suffix is not special.
	cs, err := parseCgroups([]byte("3:cpu:/a:b (deleted)\n\n0::/\n"))
	want := Cgroups{{HierarchyID: 3, Controllers: []string{"cpu"}, Path: "/a:b (deleted)"}, {Path: "/"}}
	if err != nil || !reflect.DeepEqual(cs, want) {
		t.Errorf("parseCgroups = %+v, %v; want %+v", cs, err, want)
	}
}

// TestCgroupsSelf compares Cgroups with the text of /proc/self/cgroup.
func TestCgroupsSelf(t *testing.T) {
	cs, err := Default().Self().Cgroups()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n")
	if len(lines) != len(cs) {
		t.Fatalf("%d cgroups, %d lines", len(cs), len(lines))
	}
	for i, line := range lines {
		f := strings.SplitN(line, ":", 3)
		c := cs[i]
		if got := []string{f[0], f[1], f[2]}; !reflect.DeepEqual(got, []string{strconv.Itoa(c.HierarchyID), strings.Join(c.Controllers, ","), c.Path}) {
			t.Errorf("line %q parsed as %+v", line, c)
		}
	}
	// The v2 line, when there is one, is the last and has id 0.
	if p, ok := cs.Unified(); ok && (cs[len(cs)-1].Path != p || !strings.HasPrefix(p, "/")) {
		t.Errorf("Unified() = %q", p)
	}
}

func FuzzParseCgroups(f *testing.F) {
	addFixtureSeeds(f, "cgroup-")
	f.Fuzz(func(t *testing.T, b []byte) {
		cs, err := parseCgroups(b)
		if err != nil {
			return
		}
		cs.Unified()
		cs.Controller("memory")
	})
}

func BenchmarkCgroups(b *testing.B) {
	p := Default().Self()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Cgroups(); err != nil {
			b.Fatal(err)
		}
	}
}
