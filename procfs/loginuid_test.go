package procfs

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
)

func TestLoginUIDTypes(t *testing.T) {
	if s := LoginUIDUnset.String(); s != "unset" {
		t.Errorf("unset LoginUID = %q", s)
	}
	if uid, ok := LoginUID(1000).UID(); !ok || uid != 1000 || LoginUID(1000).String() != "1000" {
		t.Errorf("LoginUID(1000) = %d, %v, %q", uid, ok, LoginUID(1000))
	}
	if _, ok := LoginUIDUnset.UID(); ok {
		t.Error("unset LoginUID is ok")
	}
	if s := SessionIDUnset.String(); s != "unset" {
		t.Errorf("unset SessionID = %q", s)
	}
	if id, ok := SessionID(3).ID(); !ok || id != 3 || SessionID(3).String() != "3" {
		t.Errorf("SessionID(3) = %d, %v", id, ok)
	}
	if _, ok := SessionIDUnset.ID(); ok {
		t.Error("unset SessionID is ok")
	}
}

// TestLoginUIDSelf compares with the kernel's text; without CONFIG_AUDIT
// the files are missing and the error must say unsupported.
func TestLoginUIDSelf(t *testing.T) {
	self := Default().Self()
	for _, name := range []string{"loginuid", "sessionid"} {
		var got uint64
		var err error
		if name == "loginuid" {
			var v LoginUID
			v, err = self.LoginUID()
			got = uint64(v)
		} else {
			var v SessionID
			v, err = self.SessionID()
			got = uint64(v)
		}
		raw, rerr := os.ReadFile("/proc/self/" + name)
		if rerr != nil {
			if !errors.Is(err, errors.ErrUnsupported) {
				t.Errorf("%s: %v, file: %v", name, err, rerr)
			}
			continue
		}
		want, _ := strconv.ParseUint(strings.TrimSpace(string(raw)), 10, 32)
		if err != nil || got != want {
			t.Errorf("%s = %d, %v; file says %d", name, got, err, want)
		}
	}
	// A child inherits both.
	child := startSleeper(t)
	p := mustProc(t, Default(), child.Process.Pid)
	a, err1 := self.LoginUID()
	b, err2 := p.LoginUID()
	if a != b || (err1 == nil) != (err2 == nil) {
		t.Errorf("child's LoginUID %v (%v), ours %v (%v)", b, err2, a, err1)
	}
}

func TestLoginUIDMissing(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(dir+"/proc/42", 0o755); err != nil {
		t.Fatal(err)
	}
	fs, err := NewFS(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mustProc(t, fs, 42).LoginUID(); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("LoginUID without the file: %v, want errors.ErrUnsupported", err)
	}
	if err := os.WriteFile(dir+"/proc/42/sessionid", []byte("4294967296"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := mustProc(t, fs, 42).SessionID(); err == nil {
		t.Error("SessionID 2^32 accepted")
	}
	if err := os.WriteFile(dir+"/proc/42/loginuid", []byte("4294967295"), 0o644); err != nil {
		t.Fatal(err)
	}
	if u, err := mustProc(t, fs, 42).LoginUID(); err != nil || u != LoginUIDUnset {
		t.Errorf("LoginUID = %v, %v", u, err)
	}
	p := mustProc(t, fs, 42)
	if err := os.RemoveAll(dir + "/proc/42"); err != nil {
		t.Fatal(err)
	}
	if _, err := p.LoginUID(); !errors.Is(err, os.ErrProcessDone) || errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("LoginUID of a process that is gone: %v, want os.ErrProcessDone", err)
	}
}
