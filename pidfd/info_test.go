package pidfd

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/lxgo/lx/cred"
	"github.com/lxgo/lx/internal/feature"
	"github.com/lxgo/lx/internal/testutil"
	"github.com/lxgo/lx/kernel"
)

// procStatusFields reads /proc/PID/status with the standard library, as an
// independent reference.
func procStatusFields(t *testing.T, pid int) map[string][]string {
	t.Helper()
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m := map[string][]string{}
	s := bufio.NewScanner(f)
	for s.Scan() {
		k, v, ok := strings.Cut(s.Text(), ":")
		if ok {
			m[k] = strings.Fields(v)
		}
	}
	return m
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func checkAgainstStatus(t *testing.T, in Info, pid int) {
	t.Helper()
	st := procStatusFields(t, pid)
	if in.PID != pid || in.PID != atoi(t, st["Pid"][0]) || in.TGID != atoi(t, st["Tgid"][0]) || in.PPID != atoi(t, st["PPid"][0]) {
		t.Errorf("%v: pid %d tgid %d ppid %d; status says %v %v %v", in.Source, in.PID, in.TGID, in.PPID, st["Pid"], st["Tgid"], st["PPid"])
	}
	if in.Creds == nil {
		t.Fatalf("%v: no credentials", in.Source)
	}
	c := in.Creds
	uids := []cred.UID{c.UID.Real, c.UID.Effective, c.UID.Saved, c.UID.FS}
	gids := []cred.GID{c.GID.Real, c.GID.Effective, c.GID.Saved, c.GID.FS}
	for i := range 4 {
		if strconv.FormatUint(uint64(uids[i]), 10) != st["Uid"][i] || strconv.FormatUint(uint64(gids[i]), 10) != st["Gid"][i] {
			t.Errorf("%v: creds %+v; status says Uid %v Gid %v", in.Source, *c, st["Uid"], st["Gid"])
			break
		}
	}
}

func TestInfo(t *testing.T) {
	_, fd := sleeper(t)
	in, err := fd.Info()
	if err != nil {
		t.Fatal(err)
	}
	if in.Source == FromProc {
		testutil.SkipIfUnsupported(t, feature.PidfdInfo.Check(), kernel.V(6, 13))
	}
	checkAgainstStatus(t, in, fd.PID())
	if in.PPID != os.Getpid() {
		t.Errorf("PPID %d, want %d", in.PPID, os.Getpid())
	}
	if in.Exit != nil {
		t.Errorf("Exit = %v for a running process", in.Exit)
	}
	checkCgroupID(t, in, fd.PID())
}

// checkCgroupID compares the cgroup id with the inode of the process's
// cgroup v2 directory.
func checkCgroupID(t *testing.T, in Info, pid int) {
	t.Helper()
	id, ok := in.CgroupID()
	if !ok {
		t.Log("no cgroup id reported")
		return
	}
	mnt := cgroup2Mount(t)
	if mnt == "" {
		t.Log("no cgroup2 mount found; cgroup id not checked")
		return
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cgroup")
	if err != nil {
		t.Fatal(err)
	}
	var rel string
	for l := range strings.Lines(string(b)) {
		if p, ok := strings.CutPrefix(strings.TrimSpace(l), "0::"); ok {
			rel = p
		}
	}
	if rel == "" {
		t.Log("no cgroup v2 line in /proc/PID/cgroup; cgroup id not checked")
		return
	}
	var st syscall.Stat_t
	if err := syscall.Stat(filepath.Join(mnt, rel), &st); err != nil {
		t.Logf("cgroup directory of %s not reachable from this mount namespace (%v); cgroup id not checked", rel, err)
		return
	}
	if st.Ino != id {
		t.Errorf("cgroup id %d, but %s has inode %d", id, filepath.Join(mnt, rel), st.Ino)
	}
}

// cgroup2Mount finds the cgroup v2 mount whose root is "/" in mountinfo.
func cgroup2Mount(t *testing.T) string {
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	for l := range strings.Lines(string(b)) {
		pre, post, ok := strings.Cut(l, " - ")
		f := strings.Fields(pre)
		if ok && len(f) >= 5 && f[3] == "/" && strings.HasPrefix(post, "cgroup2 ") {
			return f[4]
		}
	}
	return ""
}

func TestInfoCreds(t *testing.T) {
	testutil.RequireRoot(t)
	cmd := exec.Command("/bin/sleep", "1000")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65533}}
	_, fd := startCmd(t, cmd)
	in, err := fd.Info()
	if err != nil {
		t.Fatal(err)
	}
	want := cred.Creds{
		UID: cred.UIDs{Real: 65534, Effective: 65534, Saved: 65534, FS: 65534},
		GID: cred.GIDs{Real: 65533, Effective: 65533, Saved: 65533, FS: 65533},
	}
	if in.Creds == nil || !reflect.DeepEqual(*in.Creds, want) {
		t.Errorf("Creds = %+v, want %+v", in.Creds, want)
	}
	checkAgainstStatus(t, in, fd.PID())
}

// The /proc fallback gives the same ids and credentials as the ioctl.
func TestInfoFromProc(t *testing.T) {
	_, fd := sleeper(t)
	fb, err := fd.infoFromProc()
	if err != nil {
		t.Fatal(err)
	}
	if fb.Source != FromProc || fb.Exit != nil || fb.Coredump != nil {
		t.Errorf("fallback = %+v", fb)
	}
	if _, ok := fb.CgroupID(); ok {
		t.Error("fallback reports a cgroup id")
	}
	checkAgainstStatus(t, fb, fd.PID())
	in, err := fd.Info()
	if err != nil {
		t.Fatal(err)
	}
	if in.Source != FromIoctl {
		t.Skip("no PIDFD_GET_INFO to compare with")
	}
	if in.PID != fb.PID || in.TGID != fb.TGID || in.PPID != fb.PPID || !reflect.DeepEqual(*in.Creds, *fb.Creds) {
		t.Errorf("ioctl %+v %+v != fallback %+v %+v", in, *in.Creds, fb, *fb.Creds)
	}

	s := self(t)
	fb, err = s.infoFromProc()
	if err != nil {
		t.Fatal(err)
	}
	checkAgainstStatus(t, fb, os.Getpid())
}

// After reap, Info never describes another process: it returns exit
// information (6.15) or os.ErrProcessDone; the fallback always returns
// os.ErrProcessDone.
func TestInfoAfterReap(t *testing.T) {
	fd := reapedChild(t)
	in, err := fd.Info()
	switch {
	case err == nil:
		if in.Exit == nil || !in.Exit.Success() {
			t.Errorf("Info after reap = %+v, want exit status 0", in)
		}
		if in.PID != 0 || in.Creds != nil {
			t.Errorf("Info after reap has pid %d creds %v", in.PID, in.Creds)
		}
	case isDone(err) && errors.Is(err, syscall.ESRCH):
		testutil.SkipIfUnsupported(t, errors.ErrUnsupported, kernel.V(6, 15)) // no exit info
	default:
		t.Fatalf("Info after reap: %v", err)
	}
	if _, err := fd.infoFromProc(); !isDone(err) || !errors.Is(err, syscall.ESRCH) {
		t.Errorf("infoFromProc after reap: %v, want os.ErrProcessDone and ESRCH", err)
	}
}

func TestCoredumpFlagsString(t *testing.T) {
	for f, s := range map[CoredumpFlags]string{
		0:                                "none",
		CoreDumped:                       "dumped",
		CoreDumped | CoreAsUser:          "dumped|user",
		CoreSkipped | CoreAsRoot | 0x100: "skipped|root|0x100",
		0x30:                             "0x30",
	} {
		if got := f.String(); got != s {
			t.Errorf("CoredumpFlags(%#x).String() = %q, want %q", uint32(f), got, s)
		}
		var back CoredumpFlags
		if err := back.UnmarshalText([]byte(s)); err != nil || back != f {
			t.Errorf("UnmarshalText(%q) = %#x, %v", s, uint32(back), err)
		}
	}
	for _, bad := range []string{"", "0", "dumped|", "Dumped", "none|user", "0x100000000"} {
		var f CoredumpFlags
		if err := f.UnmarshalText([]byte(bad)); err == nil {
			t.Errorf("UnmarshalText(%q) = %v, want an error", bad, f)
		}
	}
	if FromIoctl.String() != "PIDFD_GET_INFO" || FromProc.String() != "procfs" || InfoSource(0).String() != "InfoSource(0)" {
		t.Error("InfoSource.String")
	}
}

func FuzzCoredumpFlagsUnmarshalText(f *testing.F) {
	for _, s := range []string{"none", "dumped|user", "skipped|root|0x100", "0x30", "", "|"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		var c CoredumpFlags
		if err := c.UnmarshalText([]byte(in)); err != nil {
			return
		}
		var back CoredumpFlags
		if err := back.UnmarshalText([]byte(c.String())); err != nil || back != c {
			t.Fatalf("UnmarshalText(%q) = %#x; its String %q reads back as %#x, %v", in, uint32(c), c, uint32(back), err)
		}
	})
}
