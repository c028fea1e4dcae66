package procfs

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/lxgo/lx/capability"
	"github.com/lxgo/lx/internal/parse"
	"github.com/lxgo/lx/internal/pseudofs"
	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/internal/testutil"
	"github.com/lxgo/lx/kernel"
	"github.com/lxgo/lx/mount"
)

func TestParseMountLine(t *testing.T) {
	tests := []struct {
		line string
		want Mount
	}{{
		line: "36 35 98:0 /mnt1 /mnt/parent rw,noatime master:1 - ext3 /dev/root rw,errors=continue",
		want: Mount{ID: 36, ParentID: 35, Dev: Dev{98, 0}, Root: "/mnt1", MountPoint: "/mnt/parent",
			Options: "rw,noatime", Flags: mount.NoAtime, Propagation: mount.Propagation{Master: 1},
			FSType: "ext3", Source: "/dev/root", SuperOptions: "rw,errors=continue"},
	}, {
		line: `101 100 0:40 / /mnt/space\040dir rw,relatime - tmpfs my\040source rw,size=1024k`,
		want: Mount{ID: 101, ParentID: 100, Dev: Dev{0, 40}, Root: "/", MountPoint: "/mnt/space dir",
			Options: "rw,relatime", Flags: mount.Relatime, FSType: "tmpfs", Source: "my source", SuperOptions: "rw,size=1024k"},
	}, {
		line: `102 100 0:41 / /mnt/tab\011and\012newline rw,nosuid,nodev,noexec,noatime,nodiratime - tmpfs none rw`,
		want: Mount{ID: 102, ParentID: 100, Dev: Dev{0, 41}, Root: "/", MountPoint: "/mnt/tab\tand\nnewline",
			Options: "rw,nosuid,nodev,noexec,noatime,nodiratime",
			Flags:   mount.NoSuid | mount.NoDev | mount.NoExec | mount.NoAtime | mount.NoDiratime,
			FSType:  "tmpfs", Source: "none", SuperOptions: "rw"},
	}, {
		line: `103 100 0:42 /sub\134dir /mnt/back\134slash ro,relatime,nosymfollow,idmapped unbindable - tmpfs a\134b ro`,
		want: Mount{ID: 103, ParentID: 100, Dev: Dev{0, 42}, Root: `/sub\dir`, MountPoint: `/mnt/back\slash`,
			Options: "ro,relatime,nosymfollow,idmapped", Flags: mount.ReadOnly | mount.Relatime | mount.NoSymfollow | mount.Idmapped,
			Propagation: mount.Propagation{Unbindable: true}, FSType: "tmpfs", Source: `a\b`, SuperOptions: "ro"},
	}, {
		// An empty source shows as two spaces.
		line: `104 100 0:43 / /mnt/empty\040source rw,relatime -  tmpfs  rw`,
		want: Mount{ID: 104, ParentID: 100, Dev: Dev{0, 43}, Root: "/", MountPoint: "/mnt/empty source",
			Options: "rw,relatime", Flags: mount.Relatime, FSType: "", Source: "tmpfs", SuperOptions: " rw"},
	}, {
		line: `105 100 0:44 / /mnt/unknown-tags rw,relatime shared:5 future:7 master:3 propagate_from:2 newflag - tmpfs tmpfs rw`,
		want: Mount{ID: 105, ParentID: 100, Dev: Dev{0, 44}, Root: "/", MountPoint: "/mnt/unknown-tags",
			Options: "rw,relatime", Flags: mount.Relatime, Propagation: mount.Propagation{Shared: 5, Master: 3, PropagateFrom: 2},
			FSType: "tmpfs", Source: "tmpfs", SuperOptions: "rw"},
	}, {
		// Backslashes not followed by three octal digits stay.
		line: `108 100 0:47 / /mnt/bad\07escape\9 rw - tmpfs \ rw`,
		want: Mount{ID: 108, ParentID: 100, Dev: Dev{0, 47}, Root: "/", MountPoint: `/mnt/bad\07escape\9`,
			Options: "rw", FSType: "tmpfs", Source: `\`, SuperOptions: "rw"},
	}, {
		line: `2147483647 2147483647 4095:1048575 / /mnt/max rw - tmpfs tmpfs rw`,
		want: Mount{ID: 1<<31 - 1, ParentID: 1<<31 - 1, Dev: Dev{4095, 1048575}, Root: "/", MountPoint: "/mnt/max",
			Options: "rw", FSType: "tmpfs", Source: "tmpfs", SuperOptions: "rw"},
	}, {
		// Tolerated: a line that ends after the source.
		line: `1 0 0:1 / / rw - rootfs rootfs`,
		want: Mount{ID: 1, Dev: Dev{0, 1}, Root: "/", MountPoint: "/", Options: "rw", FSType: "rootfs", Source: "rootfs"},
	}}
	for _, tt := range tests {
		ms, err := parseMountInfo([]byte(tt.line + "\n"))
		if err != nil || len(ms) != 1 {
			t.Errorf("parseMountInfo(%q) = %+v, %v", tt.line, ms, err)
			continue
		}
		if !reflect.DeepEqual(ms[0], tt.want) {
			t.Errorf("parseMountInfo(%q)\n got %+v\nwant %+v", tt.line, ms[0], tt.want)
		}
		var v MountView
		if _, err := parseMountLine([]byte(tt.line), &v); err != nil {
			t.Errorf("parseMountLine(%q): %v", tt.line, err)
		} else if m := v.Mount(); !reflect.DeepEqual(m, tt.want) {
			t.Errorf("MountView.Mount of %q\n got %+v\nwant %+v", tt.line, m, tt.want)
		}
		// MountInfoSeq's path: mountPlain's views for the lines in the
		// usual form, parseMountLine's for the others.
		n := 0
		if _, err := mountViews([]byte(tt.line+"\n"), func(v MountView, _ error) bool {
			if m := v.Mount(); !reflect.DeepEqual(m, tt.want) {
				t.Errorf("mountViews of %q\n got %+v\nwant %+v", tt.line, m, tt.want)
			}
			n++
			return true
		}); err != nil || n != 1 {
			t.Errorf("mountViews(%q): %d views, %v", tt.line, n, err)
		}
	}
}

func TestParseMountLineErrors(t *testing.T) {
	for _, line := range []string{
		"",
		"36",
		"36 35",
		"36 35 98:0",
		"36 35 98:0 /",
		"36 35 98:0 / /mnt",
		"36 35 98:0 / /mnt rw",
		"36 35 98:0 / /mnt rw shared:1",
		"36 35 98:0 / /mnt rw -",
		"x 35 98:0 / /mnt rw - ext4 /dev/sda rw",
		"36 -1 98:0 / /mnt rw - ext4 /dev/sda rw",
		"36 35 98-0 / /mnt rw - ext4 /dev/sda rw",
		"36 35 98:x / /mnt rw - ext4 /dev/sda rw",
		"2147483648 35 98:0 / /mnt rw - ext4 /dev/sda rw",
		"36 35 4294967296:0 / /mnt rw - ext4 /dev/sda rw",
		// The per-mount options and the optional fields are parsed by
		// package mount, whose errors fail the line.
		"36 35 98:0 / /mnt nosuid,rw - ext4 /dev/sda rw",
		"36 35 98:0 / /mnt rw,,nosuid - ext4 /dev/sda rw",
		"36 35 98:0 / /mnt rw shared:x - ext4 /dev/sda rw",
		"36 35 98:0 / /mnt rw master:0 - ext4 /dev/sda rw",
		"36 35 98:0 / /mnt rw shared:1 propagate_from:2147483648 - ext4 /dev/sda rw",
	} {
		if ms, err := parseMountInfo([]byte(line + "\n")); err == nil && line != "" {
			t.Errorf("parseMountInfo(%q) = %+v, want error", line, ms)
		}
	}
}

// TestUnescapeInPlace pins the property unescapeField relies on:
// parse.Unescape may write into the bytes it reads.
func TestUnescapeInPlace(t *testing.T) {
	for _, s := range []string{`a\040b`, `\134\134\040\011\012x`, `no escapes`, `\04`, `\0400`, `x\` + `\777\040`, `\040`} {
		want := string(parse.Unescape(nil, []byte(s)))
		b := []byte(s)
		if got := string(parse.Unescape(b[:0], b)); got != want {
			t.Errorf("in-place Unescape(%q) = %q, want %q", s, got, want)
		}
	}
}

func TestSuperOption(t *testing.T) {
	m := Mount{SuperOptions: `rw,size=1024k,opt=a\054b,key\075x=y,ro\040flag`}
	tests := []struct {
		key, val string
		ok       bool
	}{
		{"rw", "", true},
		{"size", "1024k", true},
		{"opt", "a,b", true},
		{"key=x", "y", true},
		{"ro flag", "", true},
		{"mode", "", false},
	}
	for _, tt := range tests {
		if v, ok := m.SuperOption(tt.key); v != tt.val || ok != tt.ok {
			t.Errorf("SuperOption(%q) = %q, %v; want %q, %v", tt.key, v, ok, tt.val, tt.ok)
		}
	}
}

func TestParseMountInfoFixtures(t *testing.T) {
	for _, name := range fixtureNames(t, "mountinfo-") {
		b := fileFixture(t, name)
		ms, err := parseMountInfo(bytes.Clone(b))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if n := bytes.Count(b, []byte{'\n'}); len(ms) != n {
			t.Errorf("%s: %d mounts, %d lines", name, len(ms), n)
		}
		var seq []Mount
		if _, err := mountViews(bytes.Clone(b), func(v MountView, _ error) bool {
			seq = append(seq, v.Mount())
			return true
		}); err != nil || !reflect.DeepEqual(seq, ms) {
			t.Errorf("%s: mountViews differs from parseMountInfo: %v", name, err)
		}
		ids := map[int]bool{}
		rest := bytes.Clone(b)
		for i, m := range ms {
			if ids[m.ID] {
				t.Errorf("%s: duplicate mount id %d", name, m.ID)
			}
			ids[m.ID] = true
			var line []byte
			line, rest = parse.Line(rest)
			var v MountView
			if _, err := parseMountLine(line, &v); err != nil {
				t.Fatal(err)
			}
			if vm := v.Mount(); !reflect.DeepEqual(vm, m) {
				t.Errorf("%s line %d: view %+v, slice %+v", name, i+1, vm, m)
			}
			again, err := parseMountInfo([]byte(formatMountLine(m) + "\n"))
			if err != nil || len(again) != 1 || !reflect.DeepEqual(again[0], m) {
				t.Errorf("%s line %d: %+v does not round-trip: %+v, %v", name, i+1, m, again, err)
			}
		}
	}
	ms, err := parseMountInfo(fileFixture(t, "mountinfo-6.18-private-ns"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range ms {
		if strings.HasPrefix(m.MountPoint, "/tmp/lxmi.") {
			got = append(got, filepath.Base(m.MountPoint)+"|"+m.Source+"|"+m.Propagation.String())
		}
	}
	want := []string{"x y|my src|shared:1", "tab\tt|none|unbindable", "nl\nn|a\\b|private", "back\\slash|my src|private", "sub|my src|master:1"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("private-ns mounts\n got %q\nwant %q", got, want)
	}
}

// formatMountLine writes m back in the kernel's format.
func formatMountLine(m Mount) string {
	esc := func(s string) string {
		var b strings.Builder
		for i := 0; i < len(s); i++ {
			switch c := s[i]; c {
			case ' ', '\t', '\n', '\\':
				b.WriteByte('\\')
				b.WriteByte('0' + c>>6)
				b.WriteByte('0' + c>>3&7)
				b.WriteByte('0' + c&7)
			default:
				b.WriteByte(c)
			}
		}
		return b.String()
	}
	f := []string{strconv.Itoa(m.ID), strconv.Itoa(m.ParentID), m.Dev.String(), esc(m.Root), esc(m.MountPoint), m.Options}
	if p := m.Propagation.String(); p != "private" {
		f = append(f, p)
	}
	f = append(f, "-", esc(m.FSType), esc(m.Source), m.SuperOptions)
	return strings.Join(f, " ")
}

func FuzzParseMountInfo(f *testing.F) {
	addFixtureSeeds(f, "mountinfo-")
	f.Fuzz(func(t *testing.T, b []byte) {
		// The parser before the SWAR field splitting is the oracle (both
		// unescape in place: each gets its own copy).
		want, wantErr := refParseMountInfo(slices.Clone(b))
		ms, err := parseMountInfo(slices.Clone(b))
		if fmt.Sprint(err) != fmt.Sprint(wantErr) || !reflect.DeepEqual(ms, want) {
			t.Fatalf("parseMountInfo(%q) = %+v, %v\nwant %+v, %v", b, ms, err, want, wantErr)
		}
		// MountInfoSeq's path, which makes views where parseMountInfo
		// makes strings, agrees too.
		var seq []Mount
		_, seqErr := mountViews(slices.Clone(b), func(v MountView, _ error) bool {
			seq = append(seq, v.Mount())
			return true
		})
		if fmt.Sprint(seqErr) != fmt.Sprint(wantErr) || (wantErr == nil && (len(seq) != len(want) || len(want) > 0 && !reflect.DeepEqual(seq, want))) {
			t.Fatalf("mountViews(%q) = %+v, %v\nwant %+v, %v", b, seq, seqErr, want, wantErr)
		}
		if err != nil {
			return
		}
		// Both again: the memo, where the text is memoized (read twice
		// in a row, in the usual form), gives the same answer.
		for range 2 {
			if again, err := parseMountInfo(slices.Clone(b)); err != nil || !reflect.DeepEqual(again, want) {
				t.Fatalf("parseMountInfo(%q) again = %+v, %v\nwant %+v", b, again, err, want)
			}
			seq = seq[:0]
			mountViews(slices.Clone(b), func(v MountView, _ error) bool {
				seq = append(seq, v.Mount())
				return true
			})
			if len(seq) != len(want) || len(want) > 0 && !reflect.DeepEqual(seq, want) {
				t.Fatalf("mountViews(%q) again = %+v\nwant %+v", b, seq, want)
			}
		}
		for _, m := range ms {
			if strings.ContainsAny(m.Options, " \n") || strings.Contains(m.SuperOptions, "\n") {
				continue // cannot come from one line
			}
			line := formatMountLine(m)
			again, err := parseMountInfo([]byte(line + "\n"))
			if err != nil || len(again) != 1 {
				t.Fatalf("reparse of %q: %v, %v", line, again, err)
			}
			if !reflect.DeepEqual(again[0], m) {
				t.Errorf("round trip of %+v\n via %q\n gives %+v", m, line, again[0])
			}
		}
	})
}

// TestMountInfoSelf compares /proc/self/mountinfo as lx reads it with the
// kernel's text and with findmnt.
func TestMountInfoSelf(t *testing.T) {
	self := Default().Self()
	ms, err := self.MountInfo()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(raw, []byte{'\n'}); len(ms) != n {
		t.Errorf("%d mounts, the file has %d lines", len(ms), n)
	}
	var seq []Mount
	for v, err := range self.MountInfoSeq() {
		if err != nil {
			t.Fatal(err)
		}
		seq = append(seq, v.Mount())
	}
	if !reflect.DeepEqual(seq, ms) {
		t.Error("MountInfoSeq differs from MountInfo")
	}
	var root bool
	for _, m := range ms {
		root = root || m.MountPoint == "/"
	}
	if !root {
		t.Error("no mount at /")
	}

	findmnt, err := exec.LookPath("findmnt")
	if err != nil {
		t.Skip("findmnt not installed")
	}
	out, err := exec.Command(findmnt, "--raw", "--noheadings", "-o", "ID,PARENT,MAJ:MIN,FSTYPE,TARGET").Output()
	if err != nil {
		t.Fatalf("findmnt: %v", err)
	}
	byID := map[int]Mount{}
	for _, m := range ms {
		byID[m.ID] = m
	}
	n := 0
	for line := range strings.Lines(string(out)) {
		f := strings.Fields(line)
		if len(f) != 5 {
			t.Fatalf("findmnt line %q", line)
		}
		id, _ := strconv.Atoi(f[0])
		m, ok := byID[id]
		if !ok {
			t.Errorf("findmnt mount %s not found by lx", f[0])
			continue
		}
		n++
		got := []string{strconv.Itoa(m.ParentID), m.Dev.String(), m.FSType, m.MountPoint}
		want := []string{f[1], f[2], f[3], unescapeFindmnt(f[4])}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("mount %d: lx %q, findmnt %q", id, got, want)
		}
	}
	if n != len(ms) {
		t.Errorf("findmnt lists %d mounts, lx %d", n, len(ms))
	}
}

// unescapeFindmnt decodes findmnt --raw's \xNN escapes.
func unescapeFindmnt(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) && s[i+1] == 'x' {
			if v, err := strconv.ParseUint(s[i+2:i+4], 16, 8); err == nil {
				b.WriteByte(byte(v))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// mountNSOptions returns RunInChild options for a private mount namespace
// in which the child may mount: a plain new mount namespace with
// CAP_SYS_ADMIN, else a new user namespace that maps the caller to root.
// It skips the test when neither can be created.
func mountNSOptions(t *testing.T) *testutil.ChildOptions {
	if testutil.InChild() {
		return nil
	}
	opts := &testutil.ChildOptions{Cloneflags: syscall.CLONE_NEWNS}
	if !testutil.HasCap(capability.SysAdmin) {
		opts.Cloneflags |= syscall.CLONE_NEWUSER
		opts.UidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getuid(), Size: 1}}
		opts.GidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getgid(), Size: 1}}
	}
	probe := exec.Command("true")
	probe.SysProcAttr = &syscall.SysProcAttr{Cloneflags: opts.Cloneflags, UidMappings: opts.UidMappings, GidMappings: opts.GidMappings}
	if err := probe.Run(); err != nil {
		t.Skipf("cannot create a mount namespace (uid %d): %v", os.Getuid(), err)
	}
	return opts
}

// TestMountInfoEscapedMountPoints mounts tmpfs at mount points whose
// names need escaping, in a private mount namespace, and reads them back.
func TestMountInfoEscapedMountPoints(t *testing.T) {
	testutil.RunInChild(t, mountNSOptions(t), func(t *testing.T) {
		if err := syscall.Mount("", "/", "", syscall.MS_REC|syscall.MS_PRIVATE, ""); err != nil {
			t.Skipf("make / private: %v", err)
		}
		dir := t.TempDir()
		names := []string{"x y", "tab\there", "new\nline", `back\slash`, "all \t\n\\ four"}
		sources := []string{"my src", "src\twith tab", "none", `a\b`, "s p a c e"}
		for i, name := range names {
			mp := filepath.Join(dir, name)
			if err := os.Mkdir(mp, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := syscall.Mount(sources[i], mp, "tmpfs", syscall.MS_NODEV|syscall.MS_NOSUID, "size=1m,mode=0700"); err != nil {
				testutil.SkipIfUnsupported(t, err, kernel.Version{})
				t.Fatalf("mount tmpfs at %q: %v", mp, err)
			}
			t.Cleanup(func() { syscall.Unmount(mp, syscall.MNT_DETACH) })
		}
		if err := syscall.Mount("", filepath.Join(dir, names[0]), "", syscall.MS_SHARED, ""); err != nil {
			t.Fatal(err)
		}
		self := Default().Self()
		ms, err := self.MountInfo()
		if err != nil {
			t.Fatal(err)
		}
		found := map[string]Mount{}
		for _, m := range ms {
			if strings.HasPrefix(m.MountPoint, dir+"/") {
				found[strings.TrimPrefix(m.MountPoint, dir+"/")] = m
			}
		}
		for i, name := range names {
			m, ok := found[name]
			if !ok {
				t.Errorf("mount point %q not found; have %q", name, keys(found))
				continue
			}
			if m.Source != sources[i] || m.FSType != "tmpfs" || m.Flags&(mount.NoDev|mount.NoSuid) != mount.NoDev|mount.NoSuid {
				t.Errorf("mount %q: %+v", name, m)
			}
			if v, ok := m.SuperOption("size"); !ok || v != "1024k" {
				t.Errorf("mount %q: size option %q, %v", name, v, ok)
			}
			if (m.Propagation.Shared != 0) != (i == 0) {
				t.Errorf("mount %q: propagation %v", name, m.Propagation)
			}
		}
		n := 0
		for v, err := range self.MountInfoSeq() {
			if err != nil {
				t.Fatal(err)
			}
			if bytes.HasPrefix(v.MountPoint, []byte(dir+"/")) {
				n++
				name := string(v.MountPoint[len(dir)+1:])
				if m := v.Mount(); !reflect.DeepEqual(m, found[name]) {
					t.Errorf("view of %q: %+v, want %+v", name, m, found[name])
				}
			}
		}
		if n != len(names) {
			t.Errorf("MountInfoSeq saw %d of %d mounts", n, len(names))
		}
	})
}

func keys(m map[string]Mount) []string {
	var k []string
	for s := range m {
		k = append(k, s)
	}
	return k
}

func TestMountInfoGone(t *testing.T) {
	child := startSleeper(t)
	p := mustProc(t, Default(), child.Process.Pid)
	if ms, err := p.MountInfo(); err != nil || len(ms) == 0 {
		t.Fatalf("MountInfo of a child: %d mounts, %v", len(ms), err)
	}
	child.Process.Kill()
	child.Wait()
	_, err := p.MountInfo()
	if !errors.Is(err, os.ErrProcessDone) {
		t.Errorf("MountInfo of a reaped process: %v", err)
	}
	for _, err := range p.MountInfoSeq() {
		if !errors.Is(err, os.ErrProcessDone) {
			t.Errorf("MountInfoSeq of a reaped process: %v", err)
		}
	}
}

// BenchmarkMountInfo compares reading /proc/self/mountinfo raw (open,
// read, close into a reused buffer: the floor) with lx's iterator and
// slice forms. Compare with benchstat -col /impl.
func BenchmarkMountInfo(b *testing.B) {
	self := Default().Self()
	b.Run("impl=raw", func(b *testing.B) {
		buf := make([]byte, 0, 64<<10)
		path := []byte(self.Dir() + "/mountinfo\x00")
		b.ReportAllocs()
		for b.Loop() {
			var err error
			if buf, err = pseudofs.ReadFileZ(sys.AT_FDCWD, path, buf); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=seq", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, err := range self.MountInfoSeq() {
				if err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("impl=slice", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := self.MountInfo(); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkParseMountInfo(b *testing.B) {
	data := fileFixture(b, "mountinfo-systemd-host")
	work := make([]byte, len(data))
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	b.Run("view", func(b *testing.B) {
		for b.Loop() {
			copy(work, data)
			if _, err := mountViews(work, func(MountView, error) bool { return true }); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("slice", func(b *testing.B) {
		for b.Loop() {
			copy(work, data)
			if _, err := parseMountInfo(work); err != nil {
				b.Fatal(err)
			}
		}
	})
}
