package procfs_test

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"

	"github.com/lxgo/lx/capability"
	"github.com/lxgo/lx/cred"
	"github.com/lxgo/lx/procfs"
	"github.com/lxgo/lx/rlimit"
)

// Read one process's stat line. The test tree holds a process whose name
// contains ") (" and a newline: the parser finds the name's end at the last
// ')'.
func ExampleProc_Stat() {
	fs, err := procfs.NewFS("testdata/proctree")
	if err != nil {
		fmt.Println(err)
		return
	}
	p, err := fs.Proc(300)
	if err != nil {
		fmt.Println(err)
		return
	}
	st, err := p.Stat()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d %q %v ppid=%d threads=%d\n", st.PID, st.Comm.String(), st.State, st.PPID, st.NumThreads)
	// Output: 31104 "a) (b\nc d" sleeping ppid=31103 threads=1
}

// A process's own status: credentials, memory, capabilities.
func ExampleProc_Status() {
	st, err := procfs.Default().Self().Status()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("uid matches:", st.UID.Real == cred.UID(os.Getuid()))
	fmt.Println("resident bytes > 0:", st.VmRSS > 0)
	fmt.Println("may admin:", st.CapEff.Has(capability.SysAdmin))
	fmt.Println("allowed CPUs:", st.CPUsAllowed)
}

// Resource limits, typed: rlimit.Unlimited prints as "unlimited".
func ExampleProc_Limits() {
	fs, err := procfs.NewFS("testdata/proctree")
	if err != nil {
		fmt.Println(err)
		return
	}
	p, err := fs.Proc(42)
	if err != nil {
		fmt.Println(err)
		return
	}
	l, err := p.Limits()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("open files:", l[rlimit.NoFile].Soft, "/", l[rlimit.NoFile].Hard)
	fmt.Println("stack:", l[rlimit.Stack].Soft, "/", l[rlimit.Stack].Hard, rlimit.Stack.Unit())
	// Output:
	// open files: 20000 / 20000
	// stack: 8388608 / unlimited bytes
}

// Command lines keep empty and non-UTF-8 arguments; environments keep
// duplicates and entries without '='.
func ExampleProc_Environ() {
	fs, err := procfs.NewFS("testdata/proctree")
	if err != nil {
		fmt.Println(err)
		return
	}
	p, err := fs.Proc(42)
	if err != nil {
		fmt.Println(err)
		return
	}
	args, _ := p.Cmdline()
	fmt.Printf("%q\n", args)
	env, _ := p.Environ()
	for _, e := range env[:3] {
		fmt.Printf("%q has value: %v\n", e.Name, e.HasValue)
	}
	a, _ := env.Lookup("A")
	fmt.Println("A =", a)
	// Output:
	// ["/bin/prog" "" "arg with space" "\xff\xfe" "-x"]
	// "A" has value: true
	// "NOEQUALS" has value: false
	// "A" has value: true
	// A = 1
}

// List every process and its name, the core of ps(1). The listing and
// the reads allocate nothing per process.
func ExampleFS_Procs() {
	fs, err := procfs.NewFS("testdata/proctree")
	if err != nil {
		fmt.Println(err)
		return
	}
	n := 0
	for p, err := range fs.Procs() {
		if err != nil {
			fmt.Println(err)
			return
		}
		st, err := p.Stat()
		if errors.Is(err, os.ErrProcessDone) {
			continue // exited since the listing
		}
		if err != nil {
			fmt.Println(err)
			return
		}
		_ = st.Comm
		n++
	}
	fmt.Println(n, "processes")
	// Output: 3 processes
}

// The threads of a process.
func ExampleProc_Threads() {
	fs, err := procfs.NewFS("testdata/proctree")
	if err != nil {
		fmt.Println(err)
		return
	}
	p, err := fs.Proc(42)
	if err != nil {
		fmt.Println(err)
		return
	}
	for th, err := range p.Threads() {
		if err != nil {
			fmt.Println(err)
			return
		}
		st, err := th.Stat()
		fmt.Println(th, st.PID, err)
	}
	// Unordered output:
	// pid 42 tid 42 31080 <nil>
	// pid 42 tid 43 43 <nil>
}

// Anchor reads to a pidfd: once the child is reaped, reads fail instead of
// describing whatever process gets its PID next.
func ExampleFS_ProcFromPidFD() {
	var pidfd int
	cmd := exec.Command("sleep", "10")
	cmd.SysProcAttr = &syscall.SysProcAttr{PidFD: &pidfd}
	if err := cmd.Start(); err != nil {
		fmt.Println(err)
		return
	}
	f := os.NewFile(uintptr(pidfd), "pidfd")
	defer f.Close()
	p, err := procfs.Default().ProcFromPidFD(f)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer p.Close()
	// The child may not have exec'd sleep yet, so its comm is not printed.
	fmt.Println(p.PID() == cmd.Process.Pid)
	cmd.Process.Kill()
	cmd.Wait()
	_, err = p.Stat()
	fmt.Println(errors.Is(err, os.ErrProcessDone))
	// Output:
	// true
	// true
}

// A monitoring loop: the Sampler keeps each process's stat open and
// re-reads it with one pread per process per tick.
func ExampleSampler() {
	s := procfs.NewSampler(procfs.Default(), &procfs.SamplerOptions{Files: procfs.SampleStat | procfs.SampleStatm})
	defer s.Close()
	for p, err := range procfs.Default().Procs() {
		if err == nil {
			s.Add(p.PID()) // a process may exit before Add: ignore
		}
	}
	last := map[int]time.Duration{}
	for range 2 {
		for smp, err := range s.Sample() {
			if errors.Is(err, os.ErrProcessDone) {
				delete(last, smp.PID) // exited; the Sampler dropped it
				continue
			}
			if err != nil {
				continue
			}
			cpu := smp.Stat.CPUTime()
			_ = cpu - last[smp.PID] // CPU used since the last tick
			last[smp.PID] = cpu
		}
		time.Sleep(10 * time.Millisecond)
	}
	fmt.Println("sampled", len(last) > 0)
	// Output: sampled true
}
