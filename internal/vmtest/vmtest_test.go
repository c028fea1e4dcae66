package vmtest

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The tests in this file need no qemu.

// cpioEntry is one entry read back by readCPIO.
type cpioEntry struct {
	name         string
	mode         uint32
	data         string
	rmajor, rmin uint32
}

// readCPIO is an independent newc reader, to check cpioWriter.
func readCPIO(t *testing.T, b []byte) []cpioEntry {
	t.Helper()
	var out []cpioEntry
	off := 0
	align := func(n int) int { return (n + 3) &^ 3 }
	for {
		if off+110 > len(b) {
			t.Fatalf("archive truncated at %d", off)
		}
		h := b[off : off+110]
		if string(h[:6]) != "070701" {
			t.Fatalf("bad magic %q at %d", h[:6], off)
		}
		field := func(i int) uint32 {
			v, err := strconv.ParseUint(string(h[6+8*i:14+8*i]), 16, 32)
			if err != nil {
				t.Fatal(err)
			}
			return uint32(v)
		}
		mode, size, rmaj, rmin, nsize := field(1), field(6), field(9), field(10), field(11)
		name := string(b[off+110 : off+110+int(nsize)-1])
		if b[off+110+int(nsize)-1] != 0 {
			t.Fatalf("name %q not NUL-terminated", name)
		}
		off = align(off + 110 + int(nsize))
		data := string(b[off : off+int(size)])
		off = align(off + int(size))
		if name == "TRAILER!!!" {
			if off != len(b) {
				t.Fatalf("%d bytes after the trailer", len(b)-off)
			}
			return out
		}
		out = append(out, cpioEntry{name, mode, data, rmaj, rmin})
	}
}

func TestCPIO(t *testing.T) {
	src := t.TempDir()
	if err := os.Chmod(src, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(src, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "sub", "f.txt"), []byte("hello"), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("sub/f.txt", filepath.Join(src, "link")); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	c := newCPIOWriter(&buf)
	c.Dir("d", 0o755)
	c.File("d/odd", 0o600, []byte("abc")) // sizes not a multiple of 4
	c.File("empty", 0o644, nil)
	c.Symlink("d/sh", "busybox")
	c.CharDev("console", 0o600, 5, 1)
	c.Tree("tree", src)
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	got := readCPIO(t, buf.Bytes())
	want := []cpioEntry{
		{"d", cpioDir | 0o755, "", 0, 0},
		{"d/odd", cpioRegular | 0o600, "abc", 0, 0},
		{"empty", cpioRegular | 0o644, "", 0, 0},
		{"d/sh", cpioSymlink | 0o777, "busybox", 0, 0},
		{"console", cpioChar | 0o600, "", 5, 1},
		{"tree", cpioDir | 0o755, "", 0, 0},
		{"tree/link", cpioSymlink | 0o777, "sub/f.txt", 0, 0},
		{"tree/sub", cpioDir | 0o755, "", 0, 0},
		{"tree/sub/f.txt", cpioRegular | 0o640, "hello", 0, 0},
	}
	if !slices.Equal(got, want) {
		t.Errorf("archive:\n got %+v\nwant %+v", got, want)
	}
	// A second reader: busybox's cpio applet lists the same names.
	if err := checkBusybox(); err == nil {
		cmd := exec.Command(busyboxPath(), "cpio", "-t")
		cmd.Stdin = bytes.NewReader(buf.Bytes())
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("busybox cpio -t: %v\n%s", err, stderr.Bytes())
		}
		var names []string
		for _, e := range want {
			names = append(names, e.name)
		}
		if got := strings.Fields(string(out)); !slices.Equal(got, names) {
			t.Errorf("busybox cpio -t = %q, want %q", got, names)
		}
	}
}

func TestCPIOErrors(t *testing.T) {
	var buf bytes.Buffer
	c := newCPIOWriter(&buf)
	c.CopyFile("x", 0o644, filepath.Join(t.TempDir(), "missing"))
	c.File("y", 0o644, []byte("after the error"))
	if err := c.Close(); err == nil {
		t.Fatal("Close succeeded after a missing file")
	}
}

func TestParseResults(t *testing.T) {
	const n = "0123456789abcdef01234567"
	m := func(s string) string { return "@@LXVM " + n + " " + s + "\n" }
	stream := "noise before\n" +
		m("INFO release=6.1.0-56-amd64") +
		m("INFO controllers=cpuset cpu io") +
		m("BEGIN 0") +
		"line 1\r\n" + "@@LXVM ffffffffffffffffffffffff END 0 0\n" + "@@LXVM " + n + "X END 0 0\n" + "line 3\n" +
		"\n" + m("END 0 0") +
		m("BEGIN 2") +
		"no newline at the end" + "\n" + m("END 2 1") +
		m("BEGIN 3") +
		"\n" + m("END 3 0") +
		m("END 9 0") + // never began: ignored
		m("DONE")
	rr := parseResults([]byte(stream), n)
	if !rr.done {
		t.Error("DONE not seen")
	}
	if rr.info["release"] != "6.1.0-56-amd64" || rr.info["controllers"] != "cpuset cpu io" {
		t.Errorf("info = %q", rr.info)
	}
	want := map[int]rawPackage{
		0: {out: []byte("line 1\n@@LXVM ffffffffffffffffffffffff END 0 0\n@@LXVM " + n + "X END 0 0\nline 3\n"), exit: 0, ended: true},
		2: {out: []byte("no newline at the end"), exit: 1, ended: true},
		3: {out: []byte{}, exit: 0, ended: true},
	}
	if len(rr.pkgs) != len(want) {
		t.Fatalf("packages %v, want %d", rr.pkgs, len(want))
	}
	for i, w := range want {
		g := rr.pkgs[i]
		if g == nil || !bytes.Equal(g.out, w.out) || g.exit != w.exit || g.ended != w.ended {
			t.Errorf("package %d = %+v (%q), want %+v (%q)", i, g, g.out, w, w.out)
		}
	}

	// A guest that died mid-package.
	rr = parseResults([]byte(m("BEGIN 0")+"partial"), n)
	if rr.done || rr.pkgs[0] == nil || rr.pkgs[0].ended || string(rr.pkgs[0].out) != "partial" {
		t.Errorf("unfinished guest parsed as %+v", rr)
	}
	// Another boot's nonce frames nothing.
	rr = parseResults([]byte(strings.ReplaceAll(stream, n, "ffffffffffffffffffffffff")), n)
	if rr.done || len(rr.pkgs) != 0 || len(rr.info) != 0 {
		t.Errorf("foreign nonce parsed as %+v", rr)
	}
}

func TestQemuArgs(t *testing.T) {
	o, err := (&Options{Kernel: Kernel{Name: "6.1", Vmlinuz: "/k/vmlinuz"}, NUMANodes: 2, CPUs: 2, MemoryMB: 1024, Cmdline: []string{"hugepages=16"}}).withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	args := strings.Join(qemuArgs(&o, "/i/initrd", "/i/results"), " ")
	for _, want := range []string{
		"-accel tcg,thread=single -cpu max -smp 2 -m 1024M",
		"-object memory-backend-ram,id=lxmem0,size=512M -numa node,nodeid=0,memdev=lxmem0,cpus=0-0",
		"-object memory-backend-ram,id=lxmem1,size=512M -numa node,nodeid=1,memdev=lxmem1,cpus=1-1",
		"-kernel /k/vmlinuz -initrd /i/initrd -append console=ttyS0 panic=-1 rdinit=/init quiet hugepages=16",
		"-serial stdio -serial file:/i/results -no-reboot",
	} {
		if !strings.Contains(args, want) {
			t.Errorf("qemu args lack %q:\n%s", want, args)
		}
	}
	o.NUMANodes, o.CPUs, o.MemoryMB = 3, 2, 1000
	args = strings.Join(qemuArgs(&o, "i", "r"), " ")
	for _, want := range []string{
		"size=333M -numa node,nodeid=0,memdev=lxmem0 ", // no CPU: memory-only node
		"size=333M -numa node,nodeid=1,memdev=lxmem1,cpus=0-0",
		"size=334M -numa node,nodeid=2,memdev=lxmem2,cpus=1-1",
	} {
		if !strings.Contains(args, want) {
			t.Errorf("qemu args lack %q:\n%s", want, args)
		}
	}
	o.NUMANodes = 1
	if args := strings.Join(qemuArgs(&o, "i", "r"), " "); strings.Contains(args, "-numa") {
		t.Errorf("one node gave -numa: %s", args)
	}
}

func TestOptions(t *testing.T) {
	k := Kernel{Name: "6.1", Vmlinuz: "/k"}
	o, err := (&Options{Kernel: k}).withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	if o.CPUs != 2 || o.MemoryMB != 1024 || o.NUMANodes != 1 || o.Timeout != 10*time.Minute || o.TestTimeout != 450*time.Second {
		t.Errorf("defaults = %+v", o)
	}
	for _, bad := range []*Options{
		nil,
		{},
		{Kernel: k, CPUs: -1},
		{Kernel: k, NUMANodes: 9},
		{Kernel: k, NUMANodes: 8, MemoryMB: 512},
		{Kernel: k, Timeout: -time.Second},
		{Kernel: k, Env: []string{"NOEQUALS"}},
		{Kernel: k, Env: []string{"BAD-NAME=1"}},
		{Kernel: k, Cmdline: []string{"a b"}},
		{Kernel: k, Cmdline: []string{""}},
	} {
		if _, err := bad.withDefaults(); err == nil {
			t.Errorf("options %+v accepted", bad)
		}
	}
	if _, err := Run(context.Background(), []string{"kernel"}, &Options{Kernel: k, CPUs: 100}); err == nil {
		t.Error("Run accepted 100 CPUs")
	}
}

// TestGuestScripts runs the per-boot files through the host's sh the way
// init does: the config's environment arrives intact, and every test line
// calls lxvm_test with the right words.
func TestGuestScripts(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	o, err := (&Options{
		Kernel:      Kernel{Name: "6.12", Vmlinuz: "/k"},
		Env:         []string{"A=it's \"quoted\" $HOME `x`", "B=", "C=a=b"},
		Args:        []string{"-test.run=Test(A|B)$", "-test.short"},
		Hugetlbfs:   true,
		BlockDevice: true,
	}).withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	im := &Image{dir: "x", pkgs: []builtPackage{
		{ImportPath: Module + "/procfs", Binary: "/tmp/x/0-procfs.test"},
		{ImportPath: Module + "/notests"},
		{ImportPath: Module + "/o'dd", Binary: "/tmp/x/2-o'dd.test"},
	}}
	dir := t.TempDir()
	cfg, tests := filepath.Join(dir, "config"), filepath.Join(dir, "tests")
	if err := os.WriteFile(cfg, o.config("abc"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(tests, im.testScript(&o), 0o600); err != nil {
		t.Fatal(err)
	}
	script := `. "$1"; echo "nonce=$lxvm_nonce hugetlbfs=$lxvm_hugetlbfs blockdev=$lxvm_blockdev"; env | grep -E '^(A|B|C|LX_VMTEST_[A-Z_]+)=' | sort
lxvm_test() { printf '<%s>' "$@"; echo; }
. "$2"`
	cmd := exec.Command(sh, "-c", script, "sh", cfg, tests)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")} // not the host's LX_VMTEST_*
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("sh: %v\n%s", err, out)
	}
	want := `nonce=abc hugetlbfs=1 blockdev=1
A=it's "quoted" $HOME ` + "`x`" + `
B=
C=a=b
LX_VMTEST_BLOCKDEV=/dev/ram0
LX_VMTEST_CPUS=2
LX_VMTEST_GUEST=1
LX_VMTEST_HUGETLBFS=1
LX_VMTEST_KERNEL=6.12
LX_VMTEST_NUMA_NODES=1
<0></lxvm/github.com/lxgo/lx/procfs><./0-procfs.test><-test.v=test2json><-test.paniconexit0><-test.timeout=7m30s><-test.run=Test(A|B)$><-test.short>
<2></lxvm/github.com/lxgo/lx/o'dd><./2-o'dd.test><-test.v=test2json><-test.paniconexit0><-test.timeout=7m30s><-test.run=Test(A|B)$><-test.short>
`
	if string(out) != want {
		t.Errorf("sh output:\n%s\nwant:\n%s", out, want)
	}
	// Without the switches the variables are there, saying no.
	o.Hugetlbfs, o.BlockDevice, o.Env = false, false, nil
	if err := os.WriteFile(cfg, o.config("abc"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd = exec.Command(sh, "-c", `. "$1"; echo "$lxvm_hugetlbfs $lxvm_blockdev $LX_VMTEST_HUGETLBFS ${LX_VMTEST_BLOCKDEV-unset}."`, "sh", cfg)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	if out, err := cmd.CombinedOutput(); err != nil || string(out) != "0 0 0 .\n" {
		t.Errorf("sh output without hugetlbfs and block device: %q, %v; want \"0 0 0 .\"", out, err)
	}
}

// TestModules: a guest with a block device needs brd.ko from the
// kernel's cache, and a missing one names the command that fetches it.
func TestModules(t *testing.T) {
	dir := t.TempDir()
	k := Kernel{Name: "6.1", Vmlinuz: filepath.Join(dir, "vmlinuz"), Modules: filepath.Join(dir, "modules")}
	if m, err := (&Options{Kernel: k}).modules(); err != nil || m != nil {
		t.Errorf("modules without a block device = %q, %v; want none", m, err)
	}
	o := &Options{Kernel: k, BlockDevice: true}
	if _, err := o.modules(); err == nil || !strings.Contains(err.Error(), FetchCommand) || !strings.Contains(err.Error(), "brd") {
		t.Errorf("modules with brd.ko missing = %v, want an error naming brd and %s", err, FetchCommand)
	}
	if err := os.MkdirAll(k.Modules, 0o755); err != nil {
		t.Fatal(err)
	}
	brd := filepath.Join(k.Modules, "brd.ko")
	if err := os.WriteFile(brd, []byte("\x7fELF module"), 0o644); err != nil {
		t.Fatal(err)
	}
	if m, err := o.modules(); err != nil || !slices.Equal(m, []string{brd}) {
		t.Errorf("modules = %q, %v; want [%s]", m, err, brd)
	}
	o.Kernel.Modules = ""
	if _, err := o.modules(); err == nil {
		t.Error("modules accepted a kernel without a module directory")
	}
}

// TestInitramfs: the archive holds init, busybox, the per-boot files,
// the test binaries with their testdata, and the modules in /lib/modules.
func TestInitramfs(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o755); err != nil {
			t.Fatal(err)
		}
		return p
	}
	t.Setenv("LX_VMTEST_BUSYBOX", write("busybox", "busybox binary"))
	brd := write("modules/brd.ko", "brd module")
	im := &Image{dir: dir, pkgs: []builtPackage{
		{ImportPath: Module + "/procfs", Binary: write("0-procfs.test", "procfs tests"), TestData: filepath.Dir(write("td/fixture", "fixture"))},
		{ImportPath: Module + "/notests"},
	}}
	var buf bytes.Buffer
	if err := im.writeInitramfs(&buf, []byte("config"), []byte("tests"), []string{brd}); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, e := range readCPIO(t, buf.Bytes()) {
		got[e.name] = e.data
	}
	for name, data := range map[string]string{
		"init":               string(initScript),
		"bin/busybox":        "busybox binary",
		"bin/sh":             "busybox",
		"etc/lxvm/config":    "config",
		"etc/lxvm/tests":     "tests",
		"lib/modules/brd.ko": "brd module",
		"lxvm/github.com/lxgo/lx/procfs/0-procfs.test":    "procfs tests",
		"lxvm/github.com/lxgo/lx/procfs/testdata/fixture": "fixture",
	} {
		if g, ok := got[name]; !ok || g != data {
			t.Errorf("entry %s = %q (present %v), want %q", name, g, ok, data)
		}
	}
	if _, ok := got["lxvm/github.com/lxgo/lx/notests"]; ok {
		t.Error("a package without tests has a directory")
	}
}

func TestGroups(t *testing.T) {
	rows := []Package{
		{Path: "a"},
		{Path: "b", Shape: NUMA2},
		{Path: "c"},
		{Path: "d", Cmdline: []string{"hugepages=16"}, Hugetlbfs: true},
		{Path: "e", Cmdline: []string{"hugepages=16"}},
		{Path: "a", Shape: NUMA2},
		{Path: "a"}, // duplicate row
		{Path: "f", BlockDevice: true},
		{Path: "a", BlockDevice: true},
	}
	var got []string
	for _, g := range Groups(rows) {
		got = append(got, fmt.Sprintf("%s: %s", g.Name(), strings.Join(g.Packages, ",")))
	}
	want := []string{"default: a,c", "numa2: b,a", "default hugepages=16 hugetlbfs: d", "default hugepages=16: e", "default blockdev: f,a"}
	if !slices.Equal(got, want) {
		t.Errorf("Groups = %q, want %q", got, want)
	}
	k := Kernel{Name: "6.1"}
	if o := Groups(rows)[1].Options(k, time.Minute); o.NUMANodes != 2 || o.Timeout != time.Minute || o.Kernel != k {
		t.Errorf("numa2 options = %+v", o)
	}
	if o := Groups(rows)[4].Options(k, time.Minute); !o.BlockDevice || o.Hugetlbfs || o.NUMANodes != 0 {
		t.Errorf("blockdev options = %+v", o)
	}
	// Every row of the real table is distinct and names a module path.
	seen := map[string]bool{}
	for _, r := range Packages {
		key := fmt.Sprintf("%s|%v|%q|%v|%v", r.Path, r.Shape, r.Cmdline, r.Hugetlbfs, r.BlockDevice)
		if seen[key] || strings.HasPrefix(r.Path, "/") || strings.HasPrefix(r.Path, Module) {
			t.Errorf("bad or duplicate row %+v", r)
		}
		seen[key] = true
	}
}

func TestImportPath(t *testing.T) {
	for in, want := range map[string]string{
		"procfs":                  Module + "/procfs",
		"internal/sys":            Module + "/internal/sys",
		Module + "/procfs":        Module + "/procfs",
		"./procfs":                "./procfs",
		"golang.org/x/sys/unix":   "golang.org/x/sys/unix",
		"internal/vmtest/testdat": Module + "/internal/vmtest/testdat",
	} {
		if got := ImportPath(in); got != want {
			t.Errorf("ImportPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestKernels(t *testing.T) {
	cache := t.TempDir()
	t.Setenv("LX_VMTEST_CACHE", cache)
	_, err := Kernels()
	if err == nil || !strings.Contains(err.Error(), FetchCommand) {
		t.Fatalf("Kernels with an empty cache = %v, want an error naming %s", err, FetchCommand)
	}
	for _, n := range KernelNames {
		d := filepath.Join(cache, "kernels", n)
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		for f, v := range map[string]string{"vmlinuz": "x", "release": n + ".0-1-amd64\n", "package": "linux-image-" + n + " 1\n"} {
			if err := os.WriteFile(filepath.Join(d, f), []byte(v), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	ks, err := Kernels()
	if err != nil {
		t.Fatal(err)
	}
	if len(ks) != 2 || ks[0].Name != "6.1" || ks[1].Version != "6.12.0-1-amd64" || ks[1].Package != "linux-image-6.12 1" ||
		ks[0].Vmlinuz != filepath.Join(cache, "kernels", "6.1", "vmlinuz") || ks[1].Modules != filepath.Join(cache, "kernels", "6.12", "modules") {
		t.Errorf("Kernels = %+v", ks)
	}
	if _, err := LookupKernel("5.10"); err == nil {
		t.Error("LookupKernel(5.10) succeeded")
	}
}

// fakeTB records what Require does with it.
type fakeTB struct {
	testing.TB
	skipped, fatal string
}

func (f *fakeTB) Helper()                        {}
func (f *fakeTB) Skip(args ...any)               { f.skipped = fmt.Sprint(args...) }
func (f *fakeTB) Fatalf(format string, a ...any) { f.fatal = fmt.Sprintf(format, a...) }

func TestRequire(t *testing.T) {
	t.Setenv("LX_VMTEST", "")
	var f fakeTB
	Require(&f)
	if !strings.Contains(f.skipped, "LX_VMTEST=1") || f.fatal != "" {
		t.Errorf("without LX_VMTEST: skipped %q fatal %q", f.skipped, f.fatal)
	}
	t.Setenv("LX_VMTEST", "1")
	t.Setenv("LX_VMTEST_CACHE", t.TempDir())
	t.Setenv("LX_VMTEST_QEMU", "")
	t.Setenv("PATH", t.TempDir())
	f = fakeTB{}
	Require(&f)
	for _, want := range []string{"qemu-system-x86", FetchCommand} {
		if !strings.Contains(f.fatal, want) {
			t.Errorf("with LX_VMTEST=1 and nothing installed: fatal %q lacks %q", f.fatal, want)
		}
	}
	if f.skipped != "" {
		t.Errorf("skipped although LX_VMTEST=1: %q", f.skipped)
	}
}

func TestCheckBusybox(t *testing.T) {
	dir := t.TempDir()
	dyn := filepath.Join(dir, "dyn")
	elf := append([]byte("\x7fELF"), make([]byte, 60)...)
	binary.LittleEndian.PutUint16(elf[16:], 2)
	if err := os.WriteFile(dyn, append(elf, "/lib64/ld-linux-x86-64.so.2"...), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("LX_VMTEST_BUSYBOX", dyn)
	if err := checkBusybox(); err == nil || !strings.Contains(err.Error(), "busybox-static") {
		t.Errorf("dynamic busybox: %v", err)
	}
	t.Setenv("LX_VMTEST_BUSYBOX", filepath.Join(dir, "none"))
	if err := checkBusybox(); err == nil {
		t.Error("missing busybox accepted")
	}
}

// TestRunHost runs the failure fixture on the host with go test -json:
// the same event handling as the guest path, on real output.
func TestRunHost(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go test")
	}
	if out, err := exec.Command("go", "env", "GOMOD").Output(); err != nil || !strings.HasSuffix(strings.TrimSpace(string(out)), "go.mod") {
		t.Skipf("needs the go command inside the lx module (go env GOMOD: %q, %v)", out, err)
	}
	res, err := RunHost(context.Background(), []string{"internal/vmtest/testdata/fail", "internal/vmtest/guesttest"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	p := res.Package("internal/vmtest/testdata/fail")
	if p == nil || p.Status != Fail {
		t.Fatalf("fail fixture = %+v", p)
	}
	for name, st := range map[string]Status{"TestPass": Pass, "TestSkip": Skip, "TestFail": Fail, "TestFail/sub": Fail, "TestForge": Pass, "TestAfterFail": Pass} {
		if tr := p.Test(name); tr == nil || tr.Status != st {
			t.Errorf("%s = %+v, want %v", name, tr, st)
		}
	}
	if pass, skip, fail := p.Counts(); pass != 3 || skip != 1 || fail != 2 {
		t.Errorf("counts %d/%d/%d, want 3/1/2", pass, skip, fail)
	}
	if r := p.Test("TestSkip").SkipReason(); r != "lxvmtest fixture skip reason" {
		t.Errorf("skip reason %q", r)
	}
	g := res.Package("internal/vmtest/guesttest")
	if g == nil || g.Status != Pass {
		t.Fatalf("guesttest on the host = %+v, want pass (all skipped)", g)
	}
	if _, skip, _ := g.Counts(); skip != len(g.Tests) || skip == 0 {
		t.Errorf("guesttest on the host: %d of %d tests skipped, want all", skip, len(g.Tests))
	}
}

// TestGuestError: the message carries failing output always and the
// console only when the guest itself failed.
func TestGuestError(t *testing.T) {
	r := &Result{Kernel: Kernel{Name: "6.1"}, Console: []byte("kernel says hi\n"), Packages: []*PackageResult{
		{Package: "p", Status: Fail, ExitCode: 1, Output: "boom", Tests: []TestResult{{Name: "TestX", Status: Fail}}},
		{Package: "q", Status: Pass},
		{Package: "r", Status: NotRun},
	}}
	e := r.guestError(ErrTestsFailed)
	msg := e.Error()
	for _, want := range []string{"6.1", "tests failed", "--- FAIL: p (exit status 1; failed: TestX)\nboom\n", "--- NOT RUN: r"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "kernel says hi") || strings.Contains(msg, " q ") {
		t.Errorf("message has the console or a passing package:\n%s", msg)
	}
	msg = r.guestError(fmt.Errorf("%w (timeout 1m0s)", ErrTimeout)).Error()
	if !strings.Contains(msg, "kernel says hi") {
		t.Errorf("timeout message lacks the console:\n%s", msg)
	}
	if !errors.Is(r.guestError(ErrIncomplete), ErrIncomplete) {
		t.Error("GuestError does not unwrap")
	}
}

func TestPackageResult(t *testing.T) {
	ctx := context.Background()
	pr, err := packageResult(ctx, builtPackage{ImportPath: "p"}, nil)
	if err != nil || pr.Status != Skip || pr.Output != "no test files\n" {
		t.Errorf("no test files: %+v, %v", pr, err)
	}
	bp := builtPackage{ImportPath: "p", Binary: "/x/p.test"}
	if pr, err := packageResult(ctx, bp, nil); err != nil || pr.Status != NotRun {
		t.Errorf("never began: %+v, %v", pr, err)
	}
	if _, err := test2jsonPath(); err != nil {
		t.Skip(err)
	}
	// The raw -test.v=test2json framing: ^V marks the framing lines.
	raw := "\x16=== RUN   TestA\nout of A\n\x16--- PASS: TestA (0.50s)\n\x16=== RUN   TestB\nhalf a line"
	pr, err = packageResult(ctx, bp, &rawPackage{out: []byte(raw)})
	if err != nil {
		t.Fatal(err)
	}
	if pr.Status != Fail || pr.ExitCode != -1 || !strings.Contains(pr.Output, "unfinished") {
		t.Errorf("unfinished package: %+v", pr)
	}
	a, b := pr.Test("TestA"), pr.Test("TestB")
	if a == nil || a.Status != Pass || a.Elapsed != 500*time.Millisecond || !strings.Contains(a.Output, "out of A") {
		t.Errorf("TestA = %+v", a)
	}
	if b == nil || b.Status != Fail || !strings.Contains(b.Output, "half a line") {
		t.Errorf("TestB (never finished) = %+v", b)
	}
	pr, err = packageResult(ctx, bp, &rawPackage{out: []byte(raw[:strings.Index(raw, "\x16=== RUN   TestB")] + "\x16PASS\n"), ended: true})
	if err != nil || pr.Status != Pass || len(pr.Tests) != 1 {
		t.Errorf("finished package: %+v, %v", pr, err)
	}
}
