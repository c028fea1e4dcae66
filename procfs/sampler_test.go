package procfs

import (
	"errors"
	"io/fs"
	"os"
	"reflect"
	"slices"
	"strconv"
	"syscall"
	"testing"
)

func TestSampler(t *testing.T) {
	a := spawnChild(t, "sampled-a", []string{"a"}, nil, false)
	b := spawnChild(t, "sampled-b", []string{"b"}, nil, false)
	s := NewSampler(Default(), &SamplerOptions{Files: SampleStat | SampleStatm | SampleStatus | SampleIO})
	defer s.Close()
	for _, pid := range []int{os.Getpid(), a.proc.Pid, b.proc.Pid} {
		if err := s.Add(pid); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Add(a.proc.Pid); err != nil || s.Len() != 3 {
		t.Fatalf("second Add: %v, len %d", err, s.Len())
	}
	if err := s.Add(1 << 30); !errors.Is(err, syscall.ESRCH) || errors.Is(err, os.ErrProcessDone) {
		t.Errorf("Add of a missing process: %v", err)
	}
	sample := func() map[int]error {
		got := map[int]error{}
		for smp, err := range s.Sample() {
			got[smp.PID] = err
			if err == nil {
				if smp.Stat.PID != smp.PID || smp.Status.PID != smp.PID || smp.Statm.Size == 0 {
					t.Errorf("sample of %d: stat pid %d status pid %d statm %+v", smp.PID, smp.Stat.PID, smp.Status.PID, smp.Statm)
				}
				if smp.PID == a.proc.Pid && !smp.Stat.Comm.Equal("sampled-a") {
					t.Errorf("a: comm %q", smp.Stat.Comm.String())
				}
			}
		}
		return got
	}
	got := sample()
	if len(got) != 3 || got[os.Getpid()] != nil || got[a.proc.Pid] != nil || got[b.proc.Pid] != nil {
		t.Fatalf("first pass: %v", got)
	}
	// The process's own counters advance between passes.
	var before, after uint64
	for smp, err := range s.Sample() {
		if err == nil && smp.PID == os.Getpid() {
			before = smp.IO.SyscR
		}
	}
	for smp, err := range s.Sample() {
		if err == nil && smp.PID == os.Getpid() {
			after = smp.IO.SyscR
		}
	}
	if after <= before {
		t.Errorf("syscr %d then %d", before, after)
	}

	a.stop()
	got = sample()
	if len(got) != 3 || !errors.Is(got[a.proc.Pid], os.ErrProcessDone) || !errors.Is(got[a.proc.Pid], syscall.ESRCH) ||
		got[b.proc.Pid] != nil || got[os.Getpid()] != nil {
		t.Errorf("after exit: %v", got)
	}
	if s.Len() != 2 || slices.Contains(slices.Collect(s.PIDs()), a.proc.Pid) {
		t.Errorf("dead process kept: %v", slices.Collect(s.PIDs()))
	}
	if got := sample(); len(got) != 2 {
		t.Errorf("third pass: %v", got)
	}
	if !s.Remove(b.proc.Pid) || s.Remove(b.proc.Pid) || s.Len() != 1 {
		t.Error("Remove")
	}
	// Stopping early is allowed.
	for range s.Sample() {
		break
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Error(err)
	}
	if err := s.Add(os.Getpid()); !errors.Is(err, fs.ErrClosed) {
		t.Errorf("Add after Close: %v", err)
	}
	if s.Len() != 0 {
		t.Error("Len after Close")
	}
}

func TestSamplerAnchored(t *testing.T) {
	c := spawnChild(t, "sampled-pidfd", []string{"x"}, nil, true)
	if c.pidfd == nil {
		t.Skip("no pidfd")
	}
	p, err := Default().ProcFromPidFD(c.pidfd)
	if err != nil {
		t.Skip(err)
	}
	s := NewSampler(Default(), nil)
	defer s.Close()
	err = s.AddProc(p)
	p.Close() // the sampler's files stay open
	if err != nil {
		t.Fatal(err)
	}
	for smp, err := range s.Sample() {
		if err != nil || !smp.Stat.Comm.Equal("sampled-pidfd") {
			t.Errorf("%q %v", smp.Stat.Comm.String(), err)
		}
	}
}

func TestSamplerAllocs(t *testing.T) {
	s := NewSampler(Default(), &SamplerOptions{Files: SampleStat | SampleStatm | SampleStatus})
	defer s.Close()
	// Processes that live as long as the test, with differing CPU lists
	// (kernel threads are often pinned to one CPU).
	pids := []int{os.Getpid(), 1, 2}
	for _, name := range []string{"s1", "s2", "s3"} {
		pids = append(pids, spawnChild(t, name, []string{name}, nil, false).proc.Pid)
	}
	for p, err := range Default().Procs() {
		if err != nil {
			continue
		}
		if st, err := p.Stat(); err == nil && (st.Comm.Equal("ksoftirqd/0") || st.Comm.Equal("ksoftirqd/1")) {
			pids = append(pids, p.PID())
		}
	}
	for _, pid := range pids {
		if err := s.Add(pid); err != nil {
			t.Fatal(err)
		}
	}
	pass := func() {
		for _, err := range s.Sample() {
			if err != nil && !errors.Is(err, os.ErrProcessDone) {
				t.Fatal(err)
			}
		}
	}
	pass()
	// One allocation per pass for the iterator; none per process.
	if n := testing.AllocsPerRun(20, pass); n > 1 {
		t.Errorf("%v allocs per pass of %d processes", n, s.Len())
	}
}

func TestSampleFilesString(t *testing.T) {
	for f, want := range map[SampleFiles]string{SampleStat: "stat", SampleStat | SampleIO: "stat|io", 0: "0x0", SampleStatm | 0x80: "statm|0x80"} {
		if got := f.String(); got != want {
			t.Errorf("%#x: %q, want %q", uint8(f), got, want)
		}
	}
}

// TestSamplerMemo checks the Sampler's memo of unchanged files: a
// settled sleeper's second pass copies the values of the first (the
// memo is used: its bytes are kept), a caller writing into the yielded
// Sample does not change what the next pass yields, and bytes that
// differ from the kept ones are parsed again.
func TestSamplerMemo(t *testing.T) {
	pid := benchFixture(t)
	s := NewSampler(Default(), &SamplerOptions{Files: SampleStat | SampleStatm | SampleStatus | SampleIO})
	defer s.Close()
	if err := s.Add(pid); err != nil {
		t.Fatal(err)
	}
	pass := func() Sample {
		t.Helper()
		var got Sample
		for smp, err := range s.Sample() {
			if err != nil {
				t.Fatal(err)
			}
			got = *smp
			got.Status = Status{} // its own slices
			copyStatus(&got.Status, &smp.Status)
			// SigQ counts the signals queued for the user: other
			// processes change it.
			got.Status.SigQ = SigQueue{}
			// A caller may write into the Sample it is handed.
			smp.Stat.PPID, smp.Statm.Size, smp.IO.RChar = -1, 1, 1
			smp.Status.NSPID[0], smp.Status.VmRSS = -1, 1
		}
		return got
	}
	first := pass()
	want, err := mustProc(t, Default(), pid).Stat()
	if err != nil {
		t.Fatal(err)
	}
	if first.Stat != want || first.Stat.PPID != os.Getpid() || len(first.Status.NSPID) == 0 || first.Statm.Size == 0 {
		t.Fatalf("first pass: %+v, want stat %+v", first, want)
	}
	if m := s.procs[0].memo; m.valid != 1<<len(sampleFileNames)-1 || string(m.raw[0]) != string(rawStat(t, pid)) {
		t.Fatalf("memo: valid %#x, stat %q", m.valid, m.raw[0])
	}
	for range 2 {
		if got := pass(); !reflect.DeepEqual(got, first) {
			t.Fatalf("memo pass:\n%+v\nfirst:\n%+v", got, first)
		}
	}
	// Kept values that no longer match their bytes: the bytes differ from
	// the new read, so the file is parsed again.
	m := s.procs[0].memo
	m.val.Stat.PPID, m.val.Statm.Size, m.val.IO.RChar, m.val.Status.VmRSS = 7, 7, 7, 7
	for i := range m.raw {
		m.raw[i][0] ^= 0xff
	}
	if got := pass(); !reflect.DeepEqual(got, first) {
		t.Fatalf("pass after stale memo:\n%+v\nfirst:\n%+v", got, first)
	}
}

func rawStat(t *testing.T, pid int) []byte {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		t.Fatal(err)
	}
	return b
}
