package pidfd

import (
	"os"
	"os/exec"
	"syscall"
	"testing"
)

func BenchmarkOpenClose(b *testing.B) {
	pid := os.Getpid()
	b.ReportAllocs()
	for b.Loop() {
		fd, err := Open(pid, nil)
		if err != nil {
			b.Fatal(err)
		}
		fd.Close()
	}
}

func BenchmarkInfo(b *testing.B) {
	fd, err := Self()
	if err != nil {
		b.Fatal(err)
	}
	defer fd.Close()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := fd.Info(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkInfoFromProc(b *testing.B) {
	fd, err := Self()
	if err != nil {
		b.Fatal(err)
	}
	defer fd.Close()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := fd.infoFromProc(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkID measures the uncached lookup (fstat, or the file handle on
// 32-bit arches).
func BenchmarkID(b *testing.B) {
	fd, err := Self()
	if err != nil {
		b.Fatal(err)
	}
	defer fd.Close()
	if _, err := fd.ID(); err != nil {
		b.Skip(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		fd.id.Store(0)
		if _, err := fd.ID(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWaitAfterExit measures Wait for a child that has already exited
// (the reap itself); starting the child is not timed.
func BenchmarkWaitAfterExit(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		pidfd := -1
		cmd := exec.Command("/bin/true")
		cmd.SysProcAttr = &syscall.SysProcAttr{PidFD: &pidfd}
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		fd, err := FromCmd(cmd)
		if err != nil {
			b.Fatal(err)
		}
		if err := fd.WaitExited(b.Context()); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := fd.Wait(b.Context()); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		fd.Close()
		cmd.Process.Release()
		b.StartTimer()
	}
}
