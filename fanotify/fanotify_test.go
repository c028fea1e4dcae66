package fanotify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lxgo/lx/capability"
	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/internal/testutil"
	"github.com/lxgo/lx/kernel"
)

// newGroup creates a group closed at cleanup, skipping when the caller
// may not (EPERM) or the kernel is older than min.
func newGroup(t testing.TB, opts *Options, min kernel.Version) *Group {
	t.Helper()
	g, err := New(opts)
	if err != nil {
		testutil.SkipIfUnsupported(t, err, min)
		t.Fatal(err)
	}
	t.Cleanup(func() { g.Close() })
	return g
}

func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// writeFile creates a file with content.
func writeFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// readEvent reads one event and closes it at cleanup.
func readEvent(t testing.TB, g *Group) Event {
	t.Helper()
	ev, err := g.Read(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ev.Close() })
	return ev
}

// fdLink is what /proc/self/fd says f is.
func fdLink(t testing.TB, f *os.File) string {
	t.Helper()
	var s string
	rc, err := f.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	rc.Control(func(fd uintptr) { s, err = os.Readlink("/proc/self/fd/" + strconv.Itoa(int(fd))) })
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// fdinfoPid reads the Pid: line of a pidfd's fdinfo.
func fdinfoPid(t testing.TB, f *os.File) int {
	t.Helper()
	var b []byte
	rc, err := f.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	rc.Control(func(fd uintptr) { b, err = os.ReadFile("/proc/self/fdinfo/" + strconv.Itoa(int(fd))) })
	if err != nil {
		t.Fatal(err)
	}
	_, v, ok := bytes.Cut(b, []byte("\nPid:"))
	if !ok {
		t.Fatalf("no Pid: line in pidfd fdinfo:\n%s", b)
	}
	v, _, _ = bytes.Cut(v, []byte("\n"))
	pid, err := strconv.Atoi(strings.TrimSpace(string(v)))
	if err != nil {
		t.Fatal(err)
	}
	return pid
}

// answerChild reads events until one comes from pid, allowing any other
// process's, and answers it with d.
func answerChild(t *testing.T, g *Group, pid int, d Decision, opts *ResponseOptions) Event {
	t.Helper()
	ctx := testCtx(t)
	for {
		ev, err := g.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if ev.PID != pid {
			if ev.Mask.IsPermission() {
				g.Respond(ev, Allow, nil)
			}
			ev.Close()
			continue
		}
		if err := g.Respond(ev, d, opts); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ev.Close() })
		return ev
	}
}

// A permission event denies an open in another process, which sees
// EPERM; an allowed one proceeds.
func TestPermissionDenyOpen(t *testing.T) {
	testutil.RequireCap(t, capability.SysAdmin)
	file := filepath.Join(t.TempDir(), "secret")
	writeFile(t, file, "data\n")
	g := newGroup(t, &Options{Class: Content}, kernel.V(2, 6))
	if err := g.AddMark(file, OpenPerm, nil); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		d    Decision
		want string
		ok   bool
	}{
		{Deny, "Operation not permitted", false},
		{Allow, "data\n", true},
	} {
		cmd := exec.Command("/bin/cat", file)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		ev := answerChild(t, g, cmd.Process.Pid, tt.d, nil)
		err := cmd.Wait()
		if (err == nil) != tt.ok || !strings.Contains(out.String(), tt.want) {
			t.Errorf("%s: cat = %v, %q; want %q", tt.d, err, out.String(), tt.want)
		}
		if ev.Mask != OpenPerm {
			t.Errorf("event mask %s", ev.Mask)
		}
		f, err := ev.File()
		if err != nil || fdLink(t, f) != file {
			t.Errorf("event file = %v, %v; want %s", f, err, file)
		}
		if err := g.Respond(ev, Allow, nil); !errors.Is(err, syscall.ENOENT) {
			t.Errorf("second response: %v, want ENOENT", err)
		}
	}
}

// Responses with an audit record and an audit rule (FAN_AUDIT, FAN_INFO):
// the kernel accepts them from a group with EnableAudit.
func TestRespondAudit(t *testing.T) {
	testutil.RequireCap(t, capability.SysAdmin)
	testutil.RequireCap(t, capability.AuditWrite)
	file := filepath.Join(t.TempDir(), "audited")
	writeFile(t, file, "data\n")
	g, err := New(&Options{Class: Content, Flags: EnableAudit})
	if sys.Errno(err) == sys.EINVAL {
		t.Skipf("kernel without CONFIG_AUDITSYSCALL: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if err := g.AddMark(file, OpenPerm, nil); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("/bin/cat", file)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	opts := &ResponseOptions{
		Audit:     true,
		AuditRule: &AuditRule{Rule: 7, SubjectTrust: TrustYes, ObjectTrust: TrustUnknown},
	}
	if v, err := kernel.Running(); err == nil && !v.AtLeast(kernel.V(6, 3)) {
		opts.AuditRule = nil // FAN_RESPONSE_INFO_AUDIT_RULE is 6.3
	}
	answerChild(t, g, cmd.Process.Pid, Deny, opts)
	if err := cmd.Wait(); err == nil {
		t.Error("cat succeeded after a denial")
	}
}

// Pre-content (6.14): a read is denied with EIO instead of EPERM, and the
// event carries the range being read.
func TestPreContentDenyErrno(t *testing.T) {
	testutil.RequireCap(t, capability.SysAdmin)
	file := filepath.Join(t.TempDir(), "hsm")
	writeFile(t, file, "content\n")
	g := newGroup(t, &Options{Class: PreContent}, kernel.V(2, 6))
	if err := g.AddMark(file, PreAccess, nil); err != nil {
		testutil.SkipIfUnsupported(t, err, kernel.V(6, 14))
		t.Fatal(err)
	}
	cmd := exec.Command("/bin/cat", file)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ev := answerChild(t, g, cmd.Process.Pid, Deny, &ResponseOptions{Errno: syscall.EIO})
	if err := cmd.Wait(); err == nil || !strings.Contains(out.String(), "Input/output error") {
		t.Errorf("cat = %v, %q; want an I/O error", err, out.String())
	}
	if ev.Mask != PreAccess || !ev.HasRange || ev.Range.Offset != 0 || ev.Range.Count == 0 {
		t.Errorf("event = %s, range %v %+v", ev.Mask, ev.HasRange, ev.Range)
	}
	if err := g.Respond(ev, Deny, &ResponseOptions{Errno: 300}); err == nil {
		t.Error("an errno above 255 was accepted")
	}
}

// File ids and names: create and rename in a directory, decoded into
// handles that open the right objects, and names with every kind of byte.
func TestFIDCreateRename(t *testing.T) {
	dir := t.TempDir()
	g := newGroup(t, &Options{Flags: ReportDFIDNameTarget}, kernel.V(5, 17))
	if err := g.AddMark(dir, Create|Rename|OnDir, nil); err != nil {
		testutil.SkipIfUnsupported(t, err, kernel.V(5, 17))
		t.Fatal(err)
	}
	name := "a\nb(\xff)"
	writeFile(t, filepath.Join(dir, name), "")
	if err := os.Rename(filepath.Join(dir, name), filepath.Join(dir, "c")); err != nil {
		t.Fatal(err)
	}
	create := readEvent(t, g)
	rename := readEvent(t, g)
	if create.Mask != Create || create.Name != name || !create.Dir.Valid() || !create.Object.Valid() {
		t.Fatalf("create event = %+v", create)
	}
	if rename.Mask != Rename || rename.Name != name || rename.NewName != "c" || !rename.NewDir.Valid() || !rename.Object.Valid() {
		t.Fatalf("rename event = %+v", rename)
	}
	if !bytes.Equal(create.Dir.Handle.Bytes, rename.NewDir.Handle.Bytes) || !bytes.Equal(create.Object.Handle.Bytes, rename.Object.Handle.Bytes) {
		t.Errorf("handles differ between events: %+v, %+v", create, rename)
	}
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		t.Fatal(err)
	}
	if create.Dir.FSID != FSID(st.Fsid.X__val) {
		t.Errorf("fsid %s, statfs says %s", create.Dir.FSID, FSID(st.Fsid.X__val))
	}
	if !testutil.HasCap(capability.DACReadSearch) {
		return
	}
	mount, err := os.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer mount.Close()
	for _, c := range []struct {
		id   FileID
		want string
	}{{create.Dir, dir}, {create.Object, filepath.Join(dir, "c")}} {
		f, err := c.id.Handle.Open(mount, ReadOnly)
		if err != nil {
			t.Fatal(err)
		}
		got := fdLink(t, f)
		f.Close()
		if got != c.want {
			t.Errorf("handle opens %s, want %s", got, c.want)
		}
	}
}

// A pidfd of the process that caused the event.
func TestPIDFD(t *testing.T) {
	testutil.RequireCap(t, capability.SysAdmin)
	file := filepath.Join(t.TempDir(), "f")
	writeFile(t, file, "x")
	g := newGroup(t, &Options{Flags: ReportPIDFD}, kernel.V(5, 15))
	if err := g.AddMark(file, Open, nil); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("/bin/cat", file)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ev := readEvent(t, g)
	// Until Wait reaps cat, its pidfd's fdinfo names it even after it
	// has exited.
	defer cmd.Wait()
	if ev.PID != cmd.Process.Pid {
		t.Fatalf("event pid %d, want %d", ev.PID, cmd.Process.Pid)
	}
	pf, err := ev.PidFD()
	if err != nil {
		t.Fatal(err)
	}
	if got := fdinfoPid(t, pf); got != cmd.Process.Pid {
		t.Errorf("pidfd is for %d, want %d", got, cmd.Process.Pid)
	}
	ev.Close()
	ev.Close()
	if _, err := pf.Stat(); !errors.Is(err, os.ErrClosed) {
		t.Errorf("pidfd after Close: %v", err)
	}
}

// Mount and filesystem marks, on a tmpfs mounted in a child's private
// mount namespace.
func TestMountMark(t *testing.T) {
	testutil.RequireCap(t, capability.SysAdmin)
	testutil.RunInChild(t, &testutil.ChildOptions{Cloneflags: syscall.CLONE_NEWNS}, func(t *testing.T) {
		if err := syscall.Mount("", "/", "", syscall.MS_REC|syscall.MS_PRIVATE, ""); err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		if err := syscall.Mount("lx-fanotify", dir, "tmpfs", 0, "size=1m"); err != nil {
			t.Fatal(err)
		}
		defer syscall.Unmount(dir, syscall.MNT_DETACH)
		for _, typ := range []MarkType{Mount, Filesystem} {
			t.Run(typ.String(), func(t *testing.T) {
				g := newGroup(t, nil, kernel.V(4, 20))
				if err := g.AddMark(dir, CloseWrite, &MarkOptions{Type: typ}); err != nil {
					t.Fatal(err)
				}
				file := filepath.Join(dir, "sub-"+typ.String())
				writeFile(t, file, "x")
				ev := readEvent(t, g)
				f, err := ev.File()
				if ev.Mask != CloseWrite || err != nil || fdLink(t, f) != file {
					t.Fatalf("event = %s, %v", ev.Mask, err)
				}
				if err := g.FlushMarks(typ); err != nil {
					t.Fatal(err)
				}
				writeFile(t, file, "y")
				if ready, err := g.pfd.Readable(); err != nil || ready {
					t.Errorf("event after FlushMarks: %v, %v", ready, err)
				}
			})
		}
	})
}

// An inode mark in an unprivileged group (5.13) works the same, and an
// ignore mask silences one file of a marked directory (one that survives
// modification: a plain one is cleared by the first Modify, which is then
// reported).
func TestInodeMarkIgnore(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "loud"), "")
	writeFile(t, filepath.Join(dir, "quiet"), "")
	g := newGroup(t, &Options{Flags: ReportDFIDName}, kernel.V(6, 0))
	if err := g.AddMark(dir, Modify|EventOnChild, nil); err != nil {
		t.Fatal(err)
	}
	if err := g.AddMark(filepath.Join(dir, "quiet"), Modify, &MarkOptions{Flags: Ignore | IgnoredSurvModify}); err != nil {
		testutil.SkipIfUnsupported(t, err, kernel.V(6, 0))
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "quiet"), "x")
	writeFile(t, filepath.Join(dir, "loud"), "x")
	ev := readEvent(t, g)
	if ev.Mask != Modify || ev.Name != "loud" {
		t.Fatalf("event = %s %q, want FAN_MODIFY on loud", ev.Mask, ev.Name)
	}
	if err := g.RemoveMark(dir, Modify|EventOnChild, nil); err != nil {
		t.Fatal(err)
	}
	if err := g.RemoveMark(dir, Modify, nil); !errors.Is(err, syscall.ENOENT) {
		t.Errorf("removing a removed mark: %v", err)
	}
}

func TestReadCancelAndClose(t *testing.T) {
	g := newGroup(t, &Options{Flags: ReportFID}, kernel.V(5, 13))
	if err := g.AddMark(t.TempDir(), Create, nil); err != nil {
		t.Fatal(err)
	}
	for _, end := range []string{"cancel", "close"} {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			_, err := g.Read(ctx)
			done <- err
		}()
		time.Sleep(20 * time.Millisecond)
		want := context.Canceled
		if end == "cancel" {
			cancel()
		} else {
			want = os.ErrClosed
			if err := g.Close(); err != nil {
				t.Fatal(err)
			}
		}
		if err := <-done; !errors.Is(err, want) {
			t.Errorf("%s: Read = %v, want %v", end, err, want)
		}
		cancel()
	}
	if err := g.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// Events read from the kernel but not returned when the group closes
// have their descriptors closed (the leak check of TestMain fails
// otherwise).
func TestCloseClosesBufferedEvents(t *testing.T) {
	testutil.RequireCap(t, capability.SysAdmin)
	dir := t.TempDir()
	g := newGroup(t, nil, kernel.V(2, 6))
	if err := g.AddMark(dir, CloseWrite|EventOnChild, nil); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		writeFile(t, filepath.Join(dir, fmt.Sprint(i)), "")
	}
	ev := readEvent(t, g)
	ev.Close()
	if g.off >= g.end {
		t.Skip("the kernel delivered the events in separate reads")
	}
	g.Close()
}

func TestUnprivilegedGroupRefused(t *testing.T) {
	if testutil.HasCap(capability.SysAdmin) {
		t.Skip("has CAP_SYS_ADMIN")
	}
	if _, err := New(nil); !errors.Is(err, syscall.EPERM) {
		t.Fatalf("fd-reporting group without CAP_SYS_ADMIN: %v, want EPERM", err)
	}
}

// With ReportFDError an event whose descriptor the kernel cannot open
// carries the error. A child that has used up its descriptors (a low
// RLIMIT_NOFILE, filled with duplicates) gets EMFILE.
func TestReportFDError(t *testing.T) {
	testutil.RequireCap(t, capability.SysAdmin)
	testutil.RunInChild(t, nil, func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "f")
		writeFile(t, file, "")
		g := newGroup(t, &Options{Flags: ReportFDError}, kernel.V(6, 13))
		if err := g.AddMark(file, Open, nil); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(file)
		if err != nil {
			t.Fatal(err)
		}
		f.Close()
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &syscall.Rlimit{Cur: 64, Max: 64}); err != nil {
			t.Fatal(err)
		}
		var dups []int
		for {
			fd, err := syscall.Dup(0)
			if err != nil {
				break
			}
			dups = append(dups, fd)
		}
		ev, err := g.Read(testCtx(t))
		for _, fd := range dups {
			syscall.Close(fd)
		}
		if err != nil {
			t.Fatal(err)
		}
		defer ev.Close()
		if _, err := ev.File(); ev.Mask != Open || !errors.Is(err, syscall.EMFILE) {
			t.Fatalf("event %s, File() error %v; want EMFILE", ev.Mask, err)
		}
	})
}

// The meaning of negative descriptor numbers depends on ReportFDError.
func TestEventDescriptorErrors(t *testing.T) {
	for _, tt := range []struct {
		ev        Event
		file, pid error // nil: an error that is no errno
	}{
		{Event{fd: -1, pidfd: -1, hasPidfd: true}, nil, syscall.ESRCH},
		{Event{fd: -1, pidfd: -2, hasPidfd: true}, nil, nil},
		{Event{fd: -1, pidfd: -1}, nil, nil},
		{Event{fd: -int32(syscall.EBADF), pidfd: -int32(syscall.ESRCH), hasPidfd: true, fdErrors: true}, nil, syscall.ESRCH},
		{Event{fd: -int32(syscall.EPERM), pidfd: -int32(syscall.EMFILE), hasPidfd: true, fdErrors: true}, syscall.EPERM, syscall.EMFILE},
	} {
		if f, err := tt.ev.File(); f != nil || err == nil || sys.Errno(err) != sys.Errno(tt.file) {
			t.Errorf("%+v: File() = %v, %v; want errno %v", tt.ev, f, err, tt.file)
		}
		if f, err := tt.ev.PidFD(); f != nil || err == nil || sys.Errno(err) != sys.Errno(tt.pid) {
			t.Errorf("%+v: PidFD() = %v, %v; want errno %v", tt.ev, f, err, tt.pid)
		}
	}
}

// Mount namespace marks (6.14): mounts attached to and detached from a
// child's private mount namespace, by 64-bit mount id.
func TestMountNamespaceMark(t *testing.T) {
	testutil.RequireCap(t, capability.SysAdmin)
	testutil.RunInChild(t, &testutil.ChildOptions{Cloneflags: syscall.CLONE_NEWNS}, func(t *testing.T) {
		if err := syscall.Mount("", "/", "", syscall.MS_REC|syscall.MS_PRIVATE, ""); err != nil {
			t.Fatal(err)
		}
		g := newGroup(t, &Options{Flags: ReportMnt}, kernel.V(6, 14))
		nsf, err := os.Open("/proc/thread-self/ns/mnt")
		if err != nil {
			t.Fatal(err)
		}
		defer nsf.Close()
		if err := g.AddMarkFile(nsf, MntAttach|MntDetach, &MarkOptions{Type: MountNS}); err != nil {
			testutil.SkipIfUnsupported(t, err, kernel.V(6, 14))
			t.Fatal(err)
		}
		dir := t.TempDir()
		if err := syscall.Mount("lx-fanotify", dir, "tmpfs", 0, "size=1m"); err != nil {
			t.Fatal(err)
		}
		if err := syscall.Unmount(dir, 0); err != nil {
			t.Fatal(err)
		}
		attach, detach := readEvent(t, g), readEvent(t, g)
		if attach.Mask != MntAttach || detach.Mask != MntDetach || attach.MountID == 0 || attach.MountID != detach.MountID {
			t.Fatalf("events = %s %d, %s %d", attach.Mask, attach.MountID, detach.Mask, detach.MountID)
		}
	})
}

// More events than max_queued_events: the group reports the overflow
// after exactly that many, then goes on.
func TestOverflow(t *testing.T) {
	limits, err := UserLimits()
	if err != nil {
		t.Skipf("limits: %v", err)
	}
	n := limits.MaxQueuedEvents
	if n > 1<<16 {
		t.Skipf("max_queued_events is %d: too many files to create in a test", n)
	}
	dir := t.TempDir()
	g := newGroup(t, &Options{Flags: ReportDFIDName}, kernel.V(5, 13))
	if err := g.AddMark(dir, Create, nil); err != nil {
		t.Fatal(err)
	}
	// Distinct names: the kernel merges no two of these events.
	for i := range n + 2 {
		f, err := os.Create(filepath.Join(dir, strconv.Itoa(i)))
		if err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	ctx := testCtx(t)
	got := 0
	for {
		ev, err := g.Read(ctx)
		if errors.Is(err, ErrOverflow) {
			if ev.Mask != QOverflow {
				t.Errorf("overflow event %s", ev.Mask)
			}
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got++
	}
	if got != n {
		t.Errorf("%d events before the overflow, want max_queued_events = %d", got, n)
	}
	writeFile(t, filepath.Join(dir, "after"), "")
	for ev, err := range g.Events(ctx) {
		if err != nil || ev.Name != "after" {
			t.Fatalf("event after the overflow = %+v, %v", ev, err)
		}
		break
	}
}

// An evictable inode mark (5.19) reports like any other while the inode
// is cached; an ignore mask needs IgnoredSurvModify on a directory.
func TestMarkFlags(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f")
	writeFile(t, file, "")
	g := newGroup(t, &Options{Flags: ReportFID}, kernel.V(5, 13))
	if err := g.AddMark(file, Modify, &MarkOptions{Flags: Evictable}); err != nil {
		testutil.SkipIfUnsupported(t, err, kernel.V(5, 19))
		t.Fatal(err)
	}
	writeFile(t, file, "x")
	if ev := readEvent(t, g); ev.Mask != Modify || !ev.Object.Valid() {
		t.Fatalf("event = %+v", ev)
	}
	if err := g.AddMark(dir, Modify, &MarkOptions{Flags: Ignore}); !errors.Is(err, syscall.EISDIR) {
		t.Errorf("ignore mask on a directory without IgnoredSurvModify: %v, want EISDIR", err)
	}
	if err := g.AddMark(file, Modify, &MarkOptions{Flags: OnlyDir}); !errors.Is(err, syscall.ENOTDIR) {
		t.Errorf("OnlyDir on a file: %v, want ENOTDIR", err)
	}
	if err := g.AddMark(file, OpenPerm, nil); !errors.Is(err, syscall.EINVAL) {
		t.Errorf("a permission event in a Notif group: %v, want EINVAL", err)
	}
}
