package sys_test

import (
	"os"
	"testing"

	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/internal/testutil"
	"github.com/lxgo/lx/kernel"
)

// probes runs every probe once and reports each error by name.
func probes() map[string]struct {
	err error
	min kernel.Version
} {
	m := map[string]struct {
		err error
		min kernel.Version
	}{}
	add := func(name string, min kernel.Version, err error) {
		m[name] = struct {
			err error
			min kernel.Version
		}{err, min}
	}
	add("pidfd_open", kernel.V(5, 3), sys.ProbePidfdOpen())
	add("PIDFD_NONBLOCK", kernel.V(5, 10), sys.ProbePidfdNonblock())
	add("PIDFD_THREAD", kernel.V(6, 9), sys.ProbePidfdThread())
	add("pidfd_send_signal", kernel.V(5, 1), sys.ProbePidfdSendSignal())
	add("PIDFD_SIGNAL scopes", kernel.V(6, 9), sys.ProbePidfdSignalScope())
	add("pidfd_getfd", kernel.V(5, 6), sys.ProbePidfdGetfd())
	add("waitid(P_PIDFD)", kernel.V(5, 4), sys.ProbeWaitidPidfd())
	add("PIDFD_GET_NAMESPACE", kernel.V(6, 11), sys.ProbePidfdNamespace())
	add("pidfs", kernel.V(6, 9), sys.ProbePidfs())
	add("pidfs file handles", kernel.V(6, 13), sys.ProbePidfsHandle())
	add("PIDFD_GET_INFO", kernel.V(6, 13), sys.ProbePidfdInfo())
	add("clone3", kernel.V(5, 3), sys.ProbeClone3())
	add("CLONE_INTO_CGROUP", kernel.V(5, 7), sys.ProbeCloneIntoCgroup())
	add("openat2", kernel.V(5, 6), sys.ProbeOpenat2())
	add("statmount", kernel.V(6, 8), sys.ProbeStatmount())
	_, err := sys.ProbeIOUring()
	add("io_uring", kernel.V(5, 1), err)
	_, err = sys.ProbeLandlockABI()
	add("landlock", kernel.V(5, 13), err)
	_, err = sys.ProbeSeccompNotifSizes()
	add("seccomp notif sizes", kernel.V(5, 0), err)
	_, err = sys.ProbeUserfaultfd()
	add("userfaultfd", kernel.V(4, 3), err)
	add("memfd_secret", kernel.V(6, 5), sys.ProbeMemfdSecret()) // on by default since 6.5
	add("/proc/PID/fd size", kernel.V(6, 2), sys.ProbeProcFDCount())
	add("NS_GET_USERNS", kernel.V(4, 9), sys.ProbeNsGetUserns())
	add("NS_GET_PARENT", kernel.V(4, 9), sys.ProbeNsGetParent())
	add("NS_GET_NSTYPE", kernel.V(4, 11), sys.ProbeNsGetNstype())
	add("NS_GET_OWNER_UID", kernel.V(4, 11), sys.ProbeNsGetOwnerUID())
	add("NS_GET_MNTNS_ID", kernel.V(6, 8), sys.ProbeNsGetMntnsID())
	add("NS_MNT_GET_INFO", kernel.V(6, 12), sys.ProbeNsMntGetInfo())
	add("setns on a pidfd", kernel.V(5, 8), sys.ProbeSetnsPidfd())
	add("fanotify FAN_REPORT_FID", kernel.V(5, 1), sys.ProbeFanotifyFID())
	return m
}

func TestProbesSucceed(t *testing.T) {
	for name, r := range probes() {
		t.Run(name, func(t *testing.T) {
			testutil.SkipIfUnsupported(t, r.err, r.min)
			if r.err != nil {
				t.Fatal(r.err)
			}
		})
	}
}

func TestProbeDetails(t *testing.T) {
	if abi, err := sys.ProbeLandlockABI(); err == nil && abi < 1 {
		t.Errorf("landlock ABI %d, want >= 1", abi)
	}
	if sizes, err := sys.ProbeSeccompNotifSizes(); err == nil {
		// seccomp_data has been 64 bytes since 3.5; the others only grow.
		if sizes.Data != 64 || sizes.Notif < 80 || sizes.NotifResp < 24 {
			t.Errorf("seccomp notif sizes %+v", sizes)
		}
	}
	if last, err := sys.ProbeIOUring(); err == nil {
		// IORING_OP_LAST-1 was 30 in 5.6, when the probe opcode arrived.
		if last != -1 && last < 30 {
			t.Errorf("io_uring last opcode %d", last)
		}
	}
	how, err := sys.ProbeUserfaultfd()
	switch {
	case err != nil:
	case os.Getuid() == 0 && how != sys.UffdProbeSyscall:
		t.Errorf("root got a userfaultfd through path %d, want the plain syscall", how)
	case how < sys.UffdProbeSyscall || how > sys.UffdProbeDevice:
		t.Errorf("userfaultfd path %d", how)
	}
}

// TestProbesLeakNothing runs every probe repeatedly and checks that the
// number of open fds does not change.
func TestProbesLeakNothing(t *testing.T) {
	count := func() int {
		ents, err := os.ReadDir("/proc/self/fd")
		if err != nil {
			t.Fatal(err)
		}
		return len(ents)
	}
	probes() // warm up anything the runtime opens once
	before := count()
	for range 20 {
		probes()
	}
	if after := count(); after != before {
		t.Errorf("%d fds open before the probes, %d after", before, after)
	}
}
