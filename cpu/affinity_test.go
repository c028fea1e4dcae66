package cpu

import (
	"bufio"
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

	"github.com/lxgo/lx/cpuset"
	"github.com/lxgo/lx/internal/thread"
	"github.com/lxgo/lx/kernel"
	"github.com/lxgo/lx/procfs"
)

func TestAffinityThread(t *testing.T) {
	err := thread.Run(func(th *thread.Thread) error {
		old, err := Affinity()
		if err != nil {
			return err
		}
		if old.IsEmpty() {
			return errors.New("empty affinity")
		}
		last := old.Len() - 1
		if err := SetAffinity(cpuset.Of(last)); err != nil {
			th.Taint()
			return err
		}
		defer func() {
			if err := SetAffinity(old); err != nil {
				th.Taint()
				t.Errorf("restore: %v", err)
			}
		}()
		for name, get := range map[string]func() (cpuset.Set, error){
			"Affinity":       Affinity,
			"ThreadAffinity": func() (cpuset.Set, error) { return ThreadAffinity(th.TID()) },
		} {
			got, err := get()
			if err != nil || !got.Equal(cpuset.Of(last)) {
				t.Errorf("%s = %v, %v; want %d", name, got, err, last)
			}
		}
		// The process's main thread is not this one: unchanged.
		main, err := ProcessAffinity(os.Getpid())
		if err != nil || old.Count() > 1 && main.Equal(cpuset.Of(last)) {
			t.Errorf("ProcessAffinity = %v, %v; the main thread's should not have changed", main, err)
		}
		// Set by thread id, from this thread, to the whole set again.
		if err := SetThreadAffinity(th.TID(), old); err != nil {
			return err
		}
		got, err := Affinity()
		if err != nil || !got.Equal(old) {
			t.Errorf("after SetThreadAffinity: %v, %v; want %v", got, err, old)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestAffinityBadInput: a CPU beyond the possible ones, an empty set and
// a thread id out of range are errors naming the input, before any
// system call; a thread that does not exist is ESRCH.
func TestAffinityBadInput(t *testing.T) {
	possible, err := Possible()
	if err != nil {
		t.Fatal(err)
	}
	bad := possible.Len() + 5
	for name, err := range map[string]error{
		"SetAffinity":        SetAffinity(cpuset.Of(0, bad)),
		"SetThreadAffinity":  SetThreadAffinity(os.Getpid(), cpuset.Of(bad)),
		"SetProcessAffinity": SetProcessAffinity(0, cpuset.Of(bad)),
	} {
		var re *kernel.RangeError
		want := fmt.Sprintf("invalid cpu %d: want 0..%d", bad, possible.Len()-1)
		if !errors.Is(err, fs.ErrInvalid) || !errors.As(err, &re) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s(CPU %d) = %v; want %q", name, bad, err, want)
		}
	}
	if err := SetAffinity(cpuset.Set{}); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("SetAffinity(empty) = %v, want fs.ErrInvalid", err)
	}
	tids := []int{0, -1}
	if strconv.IntSize == 64 {
		max := kernel.MaxPID
		tids = append(tids, max+1) // beyond any tid, on 64-bit
	}
	for _, tid := range tids {
		if _, err := ThreadAffinity(tid); !errors.Is(err, fs.ErrInvalid) || !strings.Contains(err.Error(), fmt.Sprint(tid)) {
			t.Errorf("ThreadAffinity(%d) = %v, want fs.ErrInvalid naming it", tid, err)
		}
		if err := SetThreadAffinity(tid, cpuset.Of(0)); !errors.Is(err, fs.ErrInvalid) {
			t.Errorf("SetThreadAffinity(%d) = %v, want fs.ErrInvalid", tid, err)
		}
	}
	if err := SetProcessAffinity(-3, cpuset.Of(0)); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("SetProcessAffinity(-3) = %v, want fs.ErrInvalid", err)
	}
	// A child that has exited and been reaped names no thread.
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	if _, err := ThreadAffinity(cmd.Process.Pid); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("ThreadAffinity(reaped child) = %v, want ESRCH", err)
	}
}

// TestAffinityHelper is the child of TestSetProcessAffinity: a Go program
// with several threads that, on a line on stdin, starts more (goroutines
// locked to their threads and blocked in read(2), so that the runtime
// needs new threads for everything else), says so, and exits at EOF.
func TestAffinityHelper(t *testing.T) {
	if os.Getenv("LX_CPU_AFFINITY_HELPER") == "" {
		t.Skip("the child of TestSetProcessAffinity")
	}
	var p [2]int
	if err := syscall.Pipe(p[:]); err != nil {
		os.Exit(3)
	}
	in := bufio.NewScanner(os.Stdin)
	fmt.Println("ready")
	threads := func() int {
		ents, _ := os.ReadDir("/proc/self/task")
		return len(ents)
	}
	for in.Scan() {
		before := threads()
		for range 8 {
			go func() {
				runtime.LockOSThread()
				var b [1]byte
				syscall.Read(p[0], b[:])
			}()
		}
		// Wait (at most 10 s) for the runtime to have made new threads.
		for i := 0; i < 1000 && threads() <= before; i++ {
			time.Sleep(10 * time.Millisecond)
		}
		fmt.Println("spawned")
	}
	os.Exit(0)
}

// TestSetProcessAffinity sets the affinity of every thread of a child Go
// program, then checks each thread's mask, and again after the child has
// started new threads: they inherit the mask.
func TestSetProcessAffinity(t *testing.T) {
	allowed, err := ProcessAffinity(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	target := cpuset.Of(allowed.Len() - 1)
	cmd := exec.Command(os.Args[0], "-test.run=^TestAffinityHelper$")
	cmd.Env = append(os.Environ(), "LX_CPU_AFFINITY_HELPER=1")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer stdin.Close()
	out := bufio.NewScanner(stdout)
	expect := func(line string) {
		t.Helper()
		if !out.Scan() || out.Text() != line {
			t.Fatalf("child said %q, %v; want %q", out.Text(), out.Err(), line)
		}
	}
	expect("ready")
	pid := cmd.Process.Pid
	if err := SetProcessAffinity(pid, target); err != nil {
		t.Fatal(err)
	}
	check := func(when string) int {
		t.Helper()
		p, err := procfs.Default().Proc(pid)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for th, err := range p.Threads() {
			if err != nil {
				t.Fatal(err)
			}
			n++
			got, err := ThreadAffinity(th.TID())
			if err != nil {
				t.Fatal(err)
			}
			if !got.Equal(target) {
				t.Errorf("%s: thread %d has affinity %v, want %v", when, th.TID(), got, target)
			}
		}
		return n
	}
	before := check("after SetProcessAffinity")
	if _, err := fmt.Fprintln(stdin, "spawn"); err != nil {
		t.Fatal(err)
	}
	expect("spawned")
	if after := check("threads created later"); after <= before {
		t.Errorf("the child had %d threads, then %d: it made none", before, after)
	}
}
