package signalfd_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lxgo/lx/cred"
	"github.com/lxgo/lx/signal"
	"github.com/lxgo/lx/signalfd"
)

// Environment variables that make the test binary a helper process.
const (
	envTgkill  = "LX_SIGNALFD_TGKILL"  // "TGID TID": send SIGUSR1 to that thread and exit
	envProcess = "LX_SIGNALFD_PROCESS" // read a process-directed SIGUSR1 with New
)

// childMain runs the helper processes; it returns in the test process.
func childMain() {
	if v := os.Getenv(envTgkill); v != "" {
		var tgid, tid int
		if _, err := fmt.Sscan(v, &tgid, &tid); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		if err := syscall.Tgkill(tgid, tid, syscall.SIGUSR1); err != nil {
			fmt.Fprintln(os.Stderr, "tgkill:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	if os.Getenv(envProcess) != "" {
		os.Exit(processChild())
	}
}

// processChild reads the SIGUSR1 its parent sends, through the poller,
// and prints what it read.
func processChild() int {
	fd, err := signalfd.New(signal.SetOf(signal.Usr1))
	if err != nil {
		fmt.Println(err)
		return 1
	}
	defer fd.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	si, err := fd.Read(ctx)
	if err != nil {
		fmt.Println(err)
		return 1
	}
	fmt.Printf("%v %v %d %d %v\n", si.Signal, si.Code, si.PID, si.UID, si.Origin())
	return 0
}

// onLockedThread runs fn on a goroutine locked to its OS thread, which
// ends with the goroutine (its signal mask is changed for good), and
// waits for it.
func onLockedThread(t *testing.T, fn func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		runtime.LockOSThread() // never unlocked: the thread is discarded
		fn()
	}()
	<-done
}

// TestThreadTgkill: a signal sent with tgkill(2) by another process to a
// locked thread that blocks it is read from that thread's signalfd, with
// the sender's pid and uid.
func TestThreadTgkill(t *testing.T) {
	onLockedThread(t, func() {
		fd, err := signalfd.BlockThread(signal.SetOf(signal.Usr1))
		if err != nil {
			t.Error(err)
			return
		}
		defer fd.Close()
		if fd.Thread() != syscall.Gettid() || fd.Signals() != signal.SetOf(signal.Usr1) {
			t.Errorf("Thread %d Signals %v, want %d SIGUSR1", fd.Thread(), fd.Signals(), syscall.Gettid())
		}
		cmd := exec.Command(os.Args[0])
		cmd.Env = append(os.Environ(), envTgkill+"="+strconv.Itoa(os.Getpid())+" "+strconv.Itoa(fd.Thread()))
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			t.Errorf("sender: %v: %s", err, out.Bytes())
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		si, err := fd.Read(ctx)
		if err != nil {
			t.Error(err)
			return
		}
		want := signalfd.Siginfo{Signal: signal.Usr1, Code: signal.CodeTkill, PID: cmd.Process.Pid, UID: cred.UID(os.Getuid())}
		if si != want {
			t.Errorf("read %+v, want %+v", si, want)
		}
		if si.Origin() != signalfd.FromProcess || si.Layout() != signalfd.LayoutRT {
			t.Errorf("origin %v layout %v, want process rt", si.Origin(), si.Layout())
		}
	})
}

// TestProcess: a child started with SIGUSR1 blocked keeps it blocked in
// every thread and reads a process-directed SIGUSR1 through the poller.
func TestProcess(t *testing.T) {
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), envProcess+"=1")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := signalfd.StartBlocked(cmd, signal.SetOf(signal.Usr1)); err != nil {
		t.Fatal(err)
	}
	// Pending signals survive execve: no need to wait for the child.
	if err := cmd.Process.Signal(syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("child: %v: %s", err, out.Bytes())
	}
	want := fmt.Sprintf("SIGUSR1 SI_USER %d %d process", os.Getpid(), os.Getuid())
	if got := strings.TrimSpace(out.String()); got != want {
		t.Errorf("child read %q, want %q", got, want)
	}
	// The caller's own mask is unchanged: SIGUSR1 is not blocked here.
	if blocked(t).Has(signal.Usr1) {
		t.Error("StartBlocked left SIGUSR1 blocked on the calling thread")
	}
}

// blocked returns the calling thread's blocked set from
// /proc/thread-self/status.
func blocked(t *testing.T) signal.Set {
	t.Helper()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	b, err := os.ReadFile("/proc/thread-self/status")
	if err != nil {
		t.Fatal(err)
	}
	_, v, _ := bytes.Cut(b, []byte("\nSigBlk:"))
	v, _, _ = bytes.Cut(v, []byte("\n"))
	set, err := signal.ParseHex(bytes.TrimSpace(v))
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// TestBlockedRead: a Read waiting for a signal ends with its context and
// with Close, in the poller (New) and in poll(2) on the thread
// (BlockThread).
func TestBlockedRead(t *testing.T) {
	set := signal.SetOf(signal.RTMin + 20) // nothing sends it
	modes := []struct {
		name string
		run  func(t *testing.T, fn func(fd *signalfd.FD))
	}{
		{"process", func(t *testing.T, fn func(fd *signalfd.FD)) {
			fd, err := signalfd.New(set)
			if err != nil {
				t.Fatal(err)
			}
			defer fd.Close()
			fn(fd)
		}},
		{"thread", func(t *testing.T, fn func(fd *signalfd.FD)) {
			onLockedThread(t, func() {
				fd, err := signalfd.BlockThread(set)
				if err != nil {
					t.Error(err)
					return
				}
				defer fd.Close()
				fn(fd)
			})
		}},
	}
	for _, m := range modes {
		t.Run(m.name+"/cancel", func(t *testing.T) {
			m.run(t, func(fd *signalfd.FD) {
				ctx, cancel := context.WithCancel(context.Background())
				go cancel()
				if _, err := fd.Read(ctx); !errors.Is(err, context.Canceled) {
					t.Errorf("Read = %v, want Canceled", err)
				}
				// A stale wake-up from the cancellation does not end
				// the next Read early.
				ctx2, cancel2 := context.WithTimeout(context.Background(), 30*time.Millisecond)
				defer cancel2()
				if _, err := fd.Read(ctx2); !errors.Is(err, context.DeadlineExceeded) {
					t.Errorf("second Read = %v, want DeadlineExceeded", err)
				}
			})
		})
		t.Run(m.name+"/close", func(t *testing.T) {
			m.run(t, func(fd *signalfd.FD) {
				go fd.Close()
				if _, err := fd.Read(context.Background()); !errors.Is(err, os.ErrClosed) {
					t.Errorf("Read = %v, want ErrClosed", err)
				}
				if err := fd.Close(); err != nil {
					t.Errorf("second Close = %v", err)
				}
			})
		})
	}
}

func TestWrongThread(t *testing.T) {
	onLockedThread(t, func() {
		fd, err := signalfd.BlockThread(signal.SetOf(signal.Usr2))
		if err != nil {
			t.Error(err)
			return
		}
		defer fd.Close()
		errc := make(chan error, 1)
		go func() { // never runs on the locked thread
			_, err := fd.Read(context.Background())
			errc <- err
		}()
		if err := <-errc; !errors.Is(err, signalfd.ErrWrongThread) {
			t.Errorf("Read from another thread = %v, want ErrWrongThread", err)
		}
	})
}

func TestBadSets(t *testing.T) {
	for _, set := range []signal.Set{0, signal.SetOf(signal.Kill), signal.SetOf(signal.Usr1, signal.Stop)} {
		if _, err := signalfd.New(set); !errors.Is(err, fs.ErrInvalid) {
			t.Errorf("New(%v) = %v, want ErrInvalid", set, err)
		}
		if err := signalfd.StartBlocked(exec.Command("true"), set); !errors.Is(err, fs.ErrInvalid) {
			t.Errorf("StartBlocked(%v) = %v, want ErrInvalid", set, err)
		}
	}
	onLockedThread(t, func() {
		for _, set := range []signal.Set{signal.SetOf(signal.Urg), signal.SetOf(33), signal.SetOf(signal.Kill)} {
			if _, err := signalfd.BlockThread(set); !errors.Is(err, fs.ErrInvalid) {
				t.Errorf("BlockThread(%v) = %v, want ErrInvalid", set, err)
			}
		}
	})
}

// BenchmarkReadThread sends SIGUSR1 to a locked thread with tgkill(2)
// and reads it from the thread's signalfd.
func BenchmarkReadThread(b *testing.B) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		runtime.LockOSThread() // never unlocked: the thread is discarded
		fd, err := signalfd.BlockThread(signal.SetOf(signal.Usr1))
		if err != nil {
			b.Error(err)
			return
		}
		defer fd.Close()
		ctx := context.Background()
		pid := os.Getpid()
		b.ReportAllocs()
		for b.Loop() {
			if err := syscall.Tgkill(pid, fd.Thread(), syscall.SIGUSR1); err != nil {
				b.Error(err) // not Fatal: this is not the benchmark's goroutine
				return
			}
			if si, err := fd.Read(ctx); err != nil || si.Signal != signal.Usr1 {
				b.Errorf("Read = %+v, %v", si, err)
				return
			}
		}
	}()
	<-done
}
