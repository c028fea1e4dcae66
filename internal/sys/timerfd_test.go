package sys_test

import (
	"errors"
	"syscall"
	"testing"

	"github.com/lxgo/lx/internal/sys"
)

func TestTimerfd(t *testing.T) {
	// include/uapi/linux/timerfd.h: _IOW('T', 0, __u64).
	r := sys.TFD_IOC_SET_TICKS
	if r.Type() != 'T' || r.Nr() != 0 || r.Size() != 8 {
		t.Errorf("TFD_IOC_SET_TICKS = %#x: type %c nr %d size %d", uint32(r), r.Type(), r.Nr(), r.Size())
	}
	fd, err := sys.TimerfdCreate(sys.CLOCK_MONOTONIC)
	if err != nil {
		t.Fatal(err)
	}
	defer fd.Close()
	old, err := sys.TimerfdSettime(fd.Int(), 0, sys.Itimerspec{Value: 3e9, Interval: 1e9})
	if err != nil || old != (sys.Itimerspec{}) {
		t.Fatalf("TimerfdSettime = %+v, %v", old, err)
	}
	cur, err := sys.TimerfdGettime(fd.Int())
	if err != nil || cur.Interval != 1e9 || cur.Value <= 2e9 || cur.Value > 3e9 {
		t.Errorf("TimerfdGettime = %+v, %v", cur, err)
	}
	if _, err := sys.EventfdRead(fd.Int()); !errors.Is(err, syscall.EAGAIN) {
		t.Errorf("read before the expiration = %v, want EAGAIN", err)
	}
	if _, err := sys.TimerfdSettime(fd.Int(), 0, sys.Itimerspec{Value: -1}); err == nil {
		t.Error("a negative time was accepted")
	}
	err = sys.TimerfdSetTicks(fd.Int(), 4)
	if errors.Is(err, syscall.ENOTTY) {
		t.Skip("kernel built without CONFIG_CHECKPOINT_RESTORE")
	}
	if err != nil {
		t.Fatal(err)
	}
	if n, err := sys.EventfdRead(fd.Int()); err != nil || n != 4 {
		t.Errorf("read after TFD_IOC_SET_TICKS 4 = %d, %v", n, err)
	}
}
