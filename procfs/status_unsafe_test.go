package procfs

import (
	"syscall"
	"testing"
	"unsafe"

	"github.com/lxgo/lx/capability"
)

// capget returns the calling thread's effective, permitted and inheritable
// capability sets from capget(2) (_LINUX_CAPABILITY_VERSION_3, two 32-bit
// words per set), to check the parser against the kernel's own answer.
func capget(t *testing.T) (eff, prm, inh capability.Set) {
	hdr := struct {
		version uint32
		pid     int32
	}{version: 0x20080522}
	var data [2]struct{ effective, permitted, inheritable uint32 }
	if _, _, e := syscall.RawSyscall(syscall.SYS_CAPGET, uintptr(unsafe.Pointer(&hdr)), uintptr(unsafe.Pointer(&data[0])), 0); e != 0 {
		t.Fatalf("capget: %v", e)
	}
	join := func(lo, hi uint32) capability.Set { return capability.Set(uint64(hi)<<32 | uint64(lo)) }
	return join(data[0].effective, data[1].effective), join(data[0].permitted, data[1].permitted),
		join(data[0].inheritable, data[1].inheritable)
}

func TestStatusCapsMatchCapget(t *testing.T) {
	// Go threads share credentials unless changed per thread; lock anyway so
	// that the task read and the capget caller are the same thread.
	done := make(chan struct{})
	go func() {
		defer close(done)
		lockThread()
		defer unlockThread()
		eff, prm, inh := capget(t)
		st, err := mustThread(t, Default().Self(), gettid()).Status()
		if err != nil {
			t.Error(err)
			return
		}
		if st.CapEff != eff || st.CapPrm != prm || st.CapInh != inh {
			t.Errorf("status eff %v prm %v inh %v\ncapget eff %v prm %v inh %v", st.CapEff, st.CapPrm, st.CapInh, eff, prm, inh)
		}
		if st.CapBnd&st.CapPrm != st.CapPrm && st.UID.Effective == 0 {
			t.Logf("bounding set %v narrower than permitted %v", st.CapBnd, st.CapPrm)
		}
	}()
	<-done
}
