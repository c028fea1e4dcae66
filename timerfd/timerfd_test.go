package timerfd_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/lxgo/lx/capability"
	"github.com/lxgo/lx/internal/testutil"
	"github.com/lxgo/lx/kernel"
	"github.com/lxgo/lx/timerfd"
)

func newTimer(t *testing.T, c timerfd.Clock) *timerfd.Timer {
	t.Helper()
	tm, err := timerfd.New(c)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tm.Close() })
	return tm
}

func TestClocks(t *testing.T) {
	for _, c := range []timerfd.Clock{timerfd.Realtime, timerfd.Monotonic, timerfd.BootTime, timerfd.RealtimeAlarm, timerfd.BootTimeAlarm} {
		t.Run(c.String(), func(t *testing.T) {
			if c == timerfd.RealtimeAlarm || c == timerfd.BootTimeAlarm {
				testutil.RequireCap(t, capability.WakeAlarm)
			}
			tm, err := timerfd.New(c)
			testutil.SkipIfUnsupported(t, err, kernel.V(3, 15))
			if err != nil {
				t.Fatal(err)
			}
			defer tm.Close()
			if tm.Clock() != c {
				t.Errorf("Clock = %v", tm.Clock())
			}
			if _, err := tm.Set(time.Millisecond, 0); err != nil {
				t.Fatal(err)
			}
			if n, err := tm.Wait(context.Background()); err != nil || n != 1 {
				t.Errorf("Wait = %d, %v; want 1", n, err)
			}
			// An absolute reading of the clock itself.
			now, err := c.Now()
			if err != nil {
				t.Fatal(err)
			}
			if _, err := tm.SetAtReading(now+time.Millisecond, 0, nil); err != nil {
				t.Fatal(err)
			}
			if n, err := tm.Wait(context.Background()); err != nil || n != 1 {
				t.Errorf("Wait after SetAtReading = %d, %v; want 1", n, err)
			}
		})
	}
}

func TestAlarmNeedsCapability(t *testing.T) {
	if testutil.HasCap(capability.WakeAlarm) {
		t.Skip("has CAP_WAKE_ALARM")
	}
	if _, err := timerfd.New(timerfd.BootTimeAlarm); !errors.Is(err, fs.ErrPermission) {
		t.Errorf("New(BootTimeAlarm) without CAP_WAKE_ALARM = %v, want ErrPermission", err)
	}
}

// TestPeriodic counts expirations: a reader that waits for several
// periods gets them all in one count.
func TestPeriodic(t *testing.T) {
	tm := newTimer(t, timerfd.Monotonic)
	const period = time.Millisecond
	start := time.Now()
	if old, err := tm.Set(period, period); err != nil || old.Armed() {
		t.Fatalf("Set = %+v, %v", old, err)
	}
	s, err := tm.Setting()
	if err != nil || s.Interval != period || s.Next <= 0 || s.Next > period {
		t.Errorf("Setting = %+v, %v", s, err)
	}
	// Let several periods pass unread: the kernel counts them all, and
	// no more than have passed since start.
	time.Sleep(20 * period)
	n, err := tm.Wait(context.Background())
	elapsed := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	if n < 20 || n > uint64(elapsed/period) {
		t.Errorf("Wait after %v = %d expirations of %v", elapsed, n, period)
	}
	old, err := tm.Disarm()
	if err != nil || old.Interval != period {
		t.Errorf("Disarm = %+v, %v", old, err)
	}
	if s, err := tm.Setting(); err != nil || s.Armed() || s != (timerfd.Setting{}) {
		t.Errorf("Setting after Disarm = %+v, %v", s, err)
	}
}

func TestSetAt(t *testing.T) {
	tm := newTimer(t, timerfd.Realtime)
	// A time in the past expires at once.
	if _, err := tm.SetAt(time.Now().Add(-time.Hour), 0, nil); err != nil {
		t.Fatal(err)
	}
	if n, err := tm.Wait(context.Background()); err != nil || n != 1 {
		t.Errorf("Wait = %d, %v", n, err)
	}
	when := time.Now().Add(time.Hour)
	if _, err := tm.SetAt(when, time.Second, &timerfd.AbsoluteOptions{CancelOnSet: true}); err != nil {
		t.Fatal(err)
	}
	s, err := tm.Setting()
	if err != nil || s.Next <= 59*time.Minute || s.Next > time.Hour || s.Interval != time.Second {
		t.Errorf("Setting = %+v, %v; want about an hour", s, err)
	}
}

func TestBadInput(t *testing.T) {
	if _, err := timerfd.New(timerfd.Clock(2)); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("New(CLOCK_PROCESS_CPUTIME_ID) = %v, want ErrInvalid", err)
	}
	if _, err := timerfd.Clock(99).Now(); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("Clock(99).Now = %v", err)
	}
	mono := newTimer(t, timerfd.Monotonic)
	real := newTimer(t, timerfd.Realtime)
	for _, c := range []struct {
		name string
		err  error
	}{
		{"Set(0)", second(mono.Set(0, 0))},
		{"Set(-1)", second(mono.Set(-1, 0))},
		{"negative interval", second(mono.Set(time.Second, -1))},
		{"SetAt on monotonic", second(mono.SetAt(time.Now(), 0, nil))},
		{"SetAtReading(0)", second(mono.SetAtReading(0, 0, nil))},
		{"CancelOnSet on monotonic", second(mono.SetAtReading(time.Second, 0, &timerfd.AbsoluteOptions{CancelOnSet: true}))},
		{"SetAt before the epoch", second(real.SetAt(time.Unix(-1, 0), 0, nil))},
		{"SetAt at the epoch", second(real.SetAt(time.Unix(0, 0), 0, nil))},
		{"SetAt in 2300", second(real.SetAt(time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC), 0, nil))},
		{"SetTicks(0)", mono.SetTicks(0)},
	} {
		if !errors.Is(c.err, fs.ErrInvalid) {
			t.Errorf("%s = %v, want ErrInvalid", c.name, c.err)
		}
	}
	if s, err := mono.Setting(); err != nil || s.Armed() {
		t.Errorf("refused settings armed the timer: %+v, %v", s, err)
	}
	if got := timerfd.Clock(42).String(); got != "Clock(42)" {
		t.Errorf("Clock(42) = %q", got)
	}
}

func second[T any](_ T, err error) error { return err }

// TestBlockedWait: a Wait parked in the poller ends with the timer, with
// its context and with Close.
func TestBlockedWait(t *testing.T) {
	t.Run("cancel", func(t *testing.T) {
		tm := newTimer(t, timerfd.Monotonic)
		ctx, cancel := context.WithCancel(context.Background())
		errc := make(chan error, 1)
		go func() {
			_, err := tm.Wait(ctx)
			errc <- err
		}()
		cancel()
		if err := <-errc; !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled Wait = %v", err)
		}
	})
	t.Run("close", func(t *testing.T) {
		tm := newTimer(t, timerfd.Monotonic)
		errc := make(chan error, 1)
		go func() {
			_, err := tm.Wait(context.Background())
			errc <- err
		}()
		if err := tm.Close(); err != nil {
			t.Fatal(err)
		}
		if err := <-errc; !errors.Is(err, os.ErrClosed) {
			t.Errorf("Wait when closed = %v", err)
		}
		if err := tm.Close(); err != nil {
			t.Errorf("second Close = %v", err)
		}
		if _, err := tm.Setting(); !errors.Is(err, os.ErrClosed) {
			t.Errorf("Setting after Close = %v", err)
		}
	})
	t.Run("disarmed then armed", func(t *testing.T) {
		tm := newTimer(t, timerfd.Monotonic)
		got := make(chan uint64, 1)
		go func() {
			n, err := tm.Wait(context.Background())
			if err != nil {
				t.Error(err)
			}
			got <- n
		}()
		if _, err := tm.Set(time.Millisecond, 0); err != nil {
			t.Fatal(err)
		}
		if n := <-got; n != 1 {
			t.Errorf("Wait = %d", n)
		}
	})
}

func TestSetTicks(t *testing.T) {
	tm := newTimer(t, timerfd.Monotonic)
	err := tm.SetTicks(5)
	if errors.Is(err, errors.ErrUnsupported) && errors.Is(err, syscall.ENOTTY) {
		t.Skipf("kernel built without CONFIG_CHECKPOINT_RESTORE: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	if n, err := tm.Wait(context.Background()); err != nil || n != 5 {
		t.Errorf("Wait after SetTicks(5) = %d, %v", n, err)
	}
}

// TestSetDiscardsPending: a new setting drops the expirations not yet
// read (the kernel's timerfd_setup resets the count), as Set and Disarm
// document.
func TestSetDiscardsPending(t *testing.T) {
	tm := newTimer(t, timerfd.Monotonic)
	for _, reset := range []func() (timerfd.Setting, error){
		tm.Disarm,
		func() (timerfd.Setting, error) { return tm.Set(time.Hour, 0) },
	} {
		if _, err := tm.Set(time.Millisecond, 0); err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Millisecond) // it has expired
		if _, err := reset(); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
		n, err := tm.Wait(ctx)
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Wait after a new setting = %d, %v; want no expiration", n, err)
		}
	}
}

// BenchmarkExpire arms a one-shot timer 1ns ahead and waits for it: the
// settime, the kernel's timer and the poller's wake-up.
func BenchmarkExpire(b *testing.B) {
	tm, err := timerfd.New(timerfd.Monotonic)
	if err != nil {
		b.Fatal(err)
	}
	defer tm.Close()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tm.Set(1, 0); err != nil {
			b.Fatal(err)
		}
		if n, err := tm.Wait(ctx); err != nil || n != 1 {
			b.Fatalf("Wait = %d, %v", n, err)
		}
	}
}
