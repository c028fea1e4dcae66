package capability_test

import (
	"bufio"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/lxgo/lx/capability"
	"github.com/lxgo/lx/internal/testutil"
)

// threadSets reads the five sets of every thread of the process from
// /proc/self/task/*/status (a test may read /proc; the package does not).
func threadSets(t *testing.T) map[string]capability.Sets {
	t.Helper()
	dirs, err := filepath.Glob("/proc/self/task/*/status")
	if err != nil || len(dirs) == 0 {
		t.Skipf("no /proc/self/task: %v", err)
	}
	all := map[string]capability.Sets{}
	for _, path := range dirs {
		all[path] = statusSets(t, path)
	}
	return all
}

// statusSets reads the capability lines of one status file.
func statusSets(t *testing.T, path string) capability.Sets {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var s capability.Sets
	fields := map[string]*capability.Set{"CapInh": &s.Inheritable, "CapPrm": &s.Permitted, "CapEff": &s.Effective, "CapBnd": &s.Bounding, "CapAmb": &s.Ambient}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		key, val, _ := strings.Cut(sc.Text(), ":\t")
		if p, ok := fields[key]; ok {
			if *p, err = capability.ParseHex(val); err != nil {
				t.Fatalf("%s %s: %v", path, key, err)
			}
		}
	}
	return s
}

func TestCurrent(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	got, err := capability.Current()
	if err != nil {
		t.Fatalf("Current: %v", err)
	}
	if want := statusSets(t, "/proc/thread-self/status"); got != want {
		t.Errorf("Current = %+v\n/proc/thread-self/status says %+v", got, want)
	}
	if st := got.State(); st.Effective != got.Effective || st.Permitted != got.Permitted || st.Inheritable != got.Inheritable {
		t.Errorf("State = %+v of %+v", st, got)
	}
}

// skipCgo skips when a process-wide change is refused because the test
// binary has cgo.
func skipCgo(t *testing.T, err error) {
	t.Helper()
	if errors.Is(err, errors.ErrUnsupported) && strings.Contains(err.Error(), "CGO_ENABLED") {
		t.Skipf("test binary built with cgo: %v", err)
	}
}

// everyThread checks that check holds for the sets of every thread.
func everyThread(t *testing.T, what string, check func(capability.Sets) bool) {
	t.Helper()
	all := threadSets(t)
	for path, s := range all {
		if !check(s) {
			t.Errorf("%s: %s has %+v", what, path, s)
		}
	}
	if len(all) < 2 {
		t.Logf("only %d thread(s) to check", len(all))
	}
}

func TestSetStateProcess(t *testing.T) {
	testutil.RequireCap(t, capability.NetRaw)
	testutil.RunInChild(t, nil, func(t *testing.T) {
		cur, err := capability.Current()
		if err != nil {
			t.Fatal(err)
		}
		st := cur.State()
		st.Effective.Remove(capability.NetRaw)
		err = capability.SetState(capability.ProcessScope, st)
		skipCgo(t, err)
		if err != nil {
			t.Fatalf("SetState(%v): %v", st, err)
		}
		everyThread(t, "effective without cap_net_raw", func(s capability.Sets) bool {
			return s.State() == st
		})
		// Permitted may shrink but never grow back.
		st.Permitted.Remove(capability.NetRaw)
		if err := capability.SetState(capability.ProcessScope, st); err != nil {
			t.Fatalf("SetState(%v): %v", st, err)
		}
		st.Effective.Add(capability.NetRaw)
		st.Permitted.Add(capability.NetRaw)
		if err := capability.SetState(capability.ProcessScope, st); !errors.Is(err, fs.ErrPermission) {
			t.Errorf("SetState regaining cap_net_raw = %v, want EPERM", err)
		}
	})
}

func TestSetStateThread(t *testing.T) {
	testutil.RequireCap(t, capability.NetRaw)
	testutil.RunInChild(t, nil, func(t *testing.T) {
		done := make(chan struct{})
		go func() {
			// This thread ends with the goroutine, locked: it never
			// runs another goroutine with its changed capabilities.
			runtime.LockOSThread()
			cur, err := capability.Current()
			if err != nil {
				t.Error(err)
			}
			st := cur.State()
			st.Effective.Remove(capability.NetRaw)
			if err := capability.SetState(capability.ThreadScope, st); err != nil {
				t.Errorf("SetState(ThreadScope): %v", err)
			}
			got, _ := capability.Current()
			if statusSets(t, "/proc/thread-self/status") != got {
				t.Errorf("/proc/thread-self/status differs from Current %+v", got)
			}
			if got.Effective.Has(capability.NetRaw) {
				t.Errorf("the locked thread kept cap_net_raw: %+v", got)
			}
			self, err := os.Readlink("/proc/thread-self")
			if err != nil {
				t.Error(err)
			}
			_, tid, _ := strings.Cut(self, "/task/")
			others := 0
			for path, s := range threadSets(t) {
				if path == "/proc/self/task/"+tid+"/status" {
					continue
				}
				others++
				if !s.Effective.Has(capability.NetRaw) {
					t.Errorf("%s lost cap_net_raw", path)
				}
			}
			if others == 0 {
				t.Error("no other thread to compare with")
			}
			close(done)
		}()
		<-done
	})
}

func TestDropBound(t *testing.T) {
	testutil.RequireCap(t, capability.Setpcap)
	testutil.RunInChild(t, nil, func(t *testing.T) {
		drop := capability.SetOf(capability.NetRaw, capability.SysBoot)
		err := capability.DropBound(capability.ProcessScope, drop)
		skipCgo(t, err)
		if err != nil {
			t.Fatalf("DropBound: %v", err)
		}
		everyThread(t, "bounding set without "+drop.String(), func(s capability.Sets) bool {
			return s.Bounding&drop == 0 && s.Bounding != 0
		})
		if err := capability.DropBound(capability.ProcessScope, drop); err != nil {
			t.Errorf("DropBound again: %v", err)
		}
	})
}

func TestAmbient(t *testing.T) {
	testutil.RequireCap(t, capability.Setpcap)
	testutil.RunInChild(t, nil, func(t *testing.T) {
		cur, err := capability.Current()
		if err != nil {
			t.Fatal(err)
		}
		st := cur.State()
		st.Inheritable.Add(capability.NetRaw)
		err = capability.SetState(capability.ProcessScope, st)
		skipCgo(t, err)
		if err != nil {
			t.Fatalf("SetState(%v): %v", st, err)
		}
		raise := capability.SetOf(capability.NetRaw)
		if err := capability.RaiseAmbient(capability.ProcessScope, raise); err != nil {
			testutil.SkipIfUnsupported(t, err, ambientMin)
			t.Fatalf("RaiseAmbient: %v", err)
		}
		everyThread(t, "ambient cap_net_raw", func(s capability.Sets) bool { return s.Ambient == raise })
		// cap_kill is permitted but not inheritable: refused before any
		// system call.
		if err := capability.RaiseAmbient(capability.ProcessScope, capability.SetOf(capability.Kill)); !errors.Is(err, fs.ErrPermission) {
			t.Errorf("RaiseAmbient(cap_kill) = %v, want fs.ErrPermission", err)
		}
		if err := capability.LowerAmbient(capability.ProcessScope, raise); err != nil {
			t.Fatalf("LowerAmbient: %v", err)
		}
		everyThread(t, "no ambient", func(s capability.Sets) bool { return s.Ambient == 0 })
		if err := capability.RaiseAmbient(capability.ProcessScope, raise); err != nil {
			t.Fatalf("RaiseAmbient: %v", err)
		}
		if err := capability.ClearAmbient(capability.ProcessScope); err != nil {
			t.Fatalf("ClearAmbient: %v", err)
		}
		everyThread(t, "no ambient after clear", func(s capability.Sets) bool { return s.Ambient == 0 })

		// With SECBIT_NO_CAP_AMBIENT_RAISE nothing can be raised.
		if err := capability.SetSecurebits(capability.ProcessScope, capability.SecbitNoCapAmbientRaise); err != nil {
			t.Fatalf("SetSecurebits: %v", err)
		}
		if b, err := capability.CurrentSecurebits(); err != nil || b != capability.SecbitNoCapAmbientRaise {
			t.Errorf("CurrentSecurebits = %v, %v", b, err)
		}
		if err := capability.RaiseAmbient(capability.ProcessScope, raise); !errors.Is(err, fs.ErrPermission) {
			t.Errorf("RaiseAmbient under SECBIT_NO_CAP_AMBIENT_RAISE = %v, want fs.ErrPermission", err)
		}
	})
}

// TestUnknownCapability checks that a capability the running kernel
// lacks is refused, naming it, before any system call: safe in the test
// process.
func TestUnknownCapability(t *testing.T) {
	last, err := capability.Last()
	if err != nil {
		t.Fatal(err)
	}
	if last == 63 {
		t.Skip("the kernel has all 64 capabilities")
	}
	beyond := last + 1
	for name, err := range map[string]error{
		"SetState":     capability.SetState(capability.ProcessScope, capability.State{Inheritable: capability.SetOf(beyond)}),
		"DropBound":    capability.DropBound(capability.ProcessScope, capability.SetOf(beyond)),
		"RaiseAmbient": capability.RaiseAmbient(capability.ThreadScope, capability.SetOf(beyond)),
		"LowerAmbient": capability.LowerAmbient(capability.ThreadScope, capability.SetOf(beyond)),
	} {
		if !errors.Is(err, fs.ErrInvalid) || !strings.Contains(err.Error(), "capability "+beyond.String()+":") {
			t.Errorf("%s of capability %d = %v, want fs.ErrInvalid naming it", name, beyond, err)
		}
	}
	if err := capability.ClearAmbient(0); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("ClearAmbient(0) = %v, want fs.ErrInvalid", err)
	}
}
