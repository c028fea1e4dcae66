package cli

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/lxgo/lx/cpu"
	"github.com/lxgo/lx/cpuset"
)

// TestCPULscpu compares lx cpu --json with lscpu -p on this machine: the
// same CPUs, online state and NUMA nodes, and the same grouping into
// cores and sockets (lscpu numbers them itself, so the test compares
// which CPUs share one, not the numbers). lscpu prints no node on a
// kernel without NUMA; lx then says -1.
func TestCPULscpu(t *testing.T) {
	lscpu, err := exec.LookPath("lscpu")
	if err != nil {
		t.Skip("lscpu (util-linux) is not installed")
	}
	out, err := exec.Command(lscpu, "-p=CPU,CORE,SOCKET,NODE,ONLINE", "--all").Output()
	if err != nil {
		t.Fatalf("lscpu: %v", err)
	}
	js, stderr, code := runLX(t, "--json", "cpu")
	if code != ExitOK {
		t.Fatalf("lx cpu --json: exit %d, %s", code, stderr)
	}
	var r cpuTopologyReport
	if err := decodeOne(js, &r); err != nil {
		t.Fatal(err)
	}
	byCPU := map[int]cpu.Info{}
	for _, c := range r.Topology.CPUs {
		byCPU[c.CPU] = c
	}
	type lsRow struct{ core, socket, node, online string }
	ls := map[int]lsRow{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, ",")
		if len(f) != 5 {
			t.Fatalf("lscpu line %q", line)
		}
		n, err := strconv.Atoi(f[0])
		if err != nil {
			t.Fatalf("lscpu line %q: %v", line, err)
		}
		ls[n] = lsRow{f[1], f[2], f[3], f[4]}
	}
	if len(ls) == 0 {
		t.Fatal("lscpu printed no CPU")
	}
	for n, l := range ls {
		c, ok := byCPU[n]
		if !ok {
			// lscpu --all lists the possible CPUs; lx the present ones.
			if l.online == "Y" {
				t.Errorf("lscpu lists online CPU %d, lx does not", n)
			}
			continue
		}
		if (l.online == "Y") != c.Online {
			t.Errorf("CPU %d: lscpu online %q, lx %v", n, l.online, c.Online)
		}
		if l.node != "" && l.node != "-" && l.node != strconv.Itoa(c.Node) {
			t.Errorf("CPU %d: lscpu node %s, lx %d", n, l.node, c.Node)
		}
		if (l.node == "" || l.node == "-") && c.Node >= 0 && c.Online {
			t.Logf("CPU %d: lscpu prints no node, lx %d", n, c.Node)
		}
		if !c.Online {
			continue
		}
		for m, l2 := range ls {
			d, ok := byCPU[m]
			if !ok || !d.Online {
				continue
			}
			if sameCore := l.core == l2.core && l.socket == l2.socket; sameCore != c.ThreadSiblings.Has(m) {
				t.Errorf("CPUs %d and %d: lscpu same core %v, lx thread siblings of %d: %v", n, m, sameCore, n, c.ThreadSiblings)
			}
			if sameSocket := l.socket == l2.socket; sameSocket != (c.Package == d.Package) {
				t.Errorf("CPUs %d and %d: lscpu same socket %v, lx packages %d and %d", n, m, sameSocket, c.Package, d.Package)
			}
		}
	}
	if len(r.Topology.CPUs) > len(ls) {
		t.Errorf("lx lists %d CPUs, lscpu --all %d", len(r.Topology.CPUs), len(ls))
	}
}

// TestCPUFixture prints the two-socket SMT fixture of the cpu package.
func TestCPUFixture(t *testing.T) {
	fsys, err := cpu.NewFS("../../../../cpu/testdata/smt-2socket")
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	env := &Env{Stdout: &out, Stderr: &out}
	if err := (&cpuCommand{fs: fsys}).Run(context.Background(), env, nil); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"model             Intel(R) Xeon(R) Gold 6130 CPU @ 2.10GHz\n",
		"cpus              8 present, 7 online\n",
		"sockets           2\n",
		"cores per socket  2\n",
		"threads per core  2\n",
		"L1d               48 KiB x 4\n",
		"L3                30 MiB x 2\n",
		"smt               on, active\n",
		"isolated          3\n",
		"nohz_full         3\n",
		"CPU  CORE  SOCKET  NODE  ONLINE  THREADS  L1d  L1i  L2  L3\n",
		"0    0     0       0     yes     0,4      0    0    0   0\n",
		"3    1     1       1     yes     3        3    3    3   1\n",
		"6    0     1       1     yes     2,6      2    2    2   1\n",
		"7    -     -       1     no      -        -    -    -   -\n",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("missing %q in:\n%s", want, out.String())
		}
	}
	out.Reset()
	env.JSON = true
	if err := (&cpuCommand{fs: fsys}).Run(context.Background(), env, nil); err != nil {
		t.Fatal(err)
	}
	var r cpuTopologyReport
	if err := decodeOne(out.String(), &r); err != nil {
		t.Fatalf("%v:\n%s", err, out.String())
	}
	if len(r.Topology.CPUs) != 8 || !r.Topology.CPUs[0].ThreadSiblings.Equal(cpuset.Of(0, 4)) || r.Topology.Caches[3].Size != 30<<20 ||
		r.SMT == nil || r.SMT.Control != cpu.SMTOn || r.Isolated == nil || r.Isolated.String() != "3" || r.Sockets != 2 || r.Unavailable != nil {
		t.Errorf("--json = %+v", r)
	}
	// A tree with the CPU lists only: every CPU without topology; model,
	// SMT and isolated unavailable, each with its reason; nohz_full,
	// absent without CONFIG_NO_HZ_FULL, is none.
	bare, err := cpu.NewFS("../../../../cpu/testdata/hotplug")
	if err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := (&cpuCommand{fs: bare}).Run(context.Background(), env, nil); err != nil {
		t.Fatal(err)
	}
	r = cpuTopologyReport{}
	if err := decodeOne(out.String(), &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Topology.CPUs) != 32 || r.Topology.CPUs[31].Core != -1 || r.Model != nil || r.SMT != nil || r.Isolated != nil ||
		r.NohzFull == nil || !r.NohzFull.IsEmpty() || len(r.Unavailable) != 3 || !strings.Contains(r.Unavailable["smt"], "smt/control") {
		t.Errorf("--json of a bare tree = %+v", r)
	}
}

func TestCPUCurrent(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	old, err := cpu.Affinity()
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := cpu.SetAffinity(old); err != nil {
			t.Fatalf("restoring affinity: %v", err)
		}
	}()
	top, err := cpu.Default().Topology()
	if err != nil {
		t.Fatal(err)
	}
	for c := range old.All() {
		if err := cpu.SetAffinity(cpuset.Of(c)); err != nil {
			t.Fatal(err)
		}
		out, stderr, code := runLX(t, "--json", "cpu", "current")
		var r cpuCurrentReport
		if err := decodeOne(out, &r); err != nil || code != ExitOK {
			t.Fatalf("lx cpu current --json: exit %d, %v, %s", code, err, stderr)
		}
		if r.CPU != c || r.Method != cpu.CurrentMethod() {
			t.Errorf("pinned to CPU %d: %+v", c, r)
		}
		for _, info := range top.CPUs {
			if info.CPU == c && info.Node >= 0 && info.Node != r.Node {
				t.Errorf("CPU %d: node %d, sysfs says %d", c, r.Node, info.Node)
			}
		}
		text, _, _ := runLX(t, "cpu", "current")
		if want := fmt.Sprintf("cpu %d node %d (%s)\n", r.CPU, r.Node, r.Method); text != want {
			t.Errorf("lx cpu current = %q, want %q", text, want)
		}
	}
	for _, args := range [][]string{{"cpu", "x"}, {"cpu", "current", "1"}} {
		if _, stderr, code := runLX(t, args...); code != ExitUsage || !strings.Contains(stderr, "usage: lx "+strings.Join(args[:len(args)-1], " ")) {
			t.Errorf("lx %v: exit %d, %q; want a usage error", args, code, stderr)
		}
	}
}
