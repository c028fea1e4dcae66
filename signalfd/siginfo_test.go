package signalfd_test

import (
	"encoding/binary"
	"errors"
	"io"
	"testing"

	"github.com/lxgo/lx/internal/abi"
	"github.com/lxgo/lx/signal"
	"github.com/lxgo/lx/signalfd"
)

func TestLayoutOf(t *testing.T) {
	for _, c := range []struct {
		sig  signal.Signal
		code signal.Code
		want signalfd.Layout
	}{
		{signal.Usr1, signal.CodeUser, signalfd.LayoutKill},
		{signal.Usr1, signal.CodeKernel, signalfd.LayoutKill},
		{signal.Usr1, signal.CodeQueue, signalfd.LayoutRT},
		{signal.Usr1, signal.CodeTkill, signalfd.LayoutRT},
		{signal.Usr1, signal.CodeMesgq, signalfd.LayoutRT},
		{signal.Usr1, signal.CodeTimer, signalfd.LayoutTimer},
		{signal.Usr1, signal.CodeSigIO, signalfd.LayoutPoll},
		{signal.Usr1, signal.PollHup, signalfd.LayoutPoll}, // F_SETSIG
		{signal.Usr1, 7, signalfd.LayoutKill},
		{signal.Segv, signal.SegvMapErr, signalfd.LayoutFault},
		{signal.Segv, signal.SegvCPErr, signalfd.LayoutFault},
		{signal.Segv, 11, signalfd.LayoutKill},
		{signal.Segv, signal.CodeUser, signalfd.LayoutKill},
		{signal.Bus, signal.BusAdrErr, signalfd.LayoutFault},
		{signal.Bus, signal.BusMCEErrAO, signalfd.LayoutFaultMCE},
		{signal.Bus, 6, signalfd.LayoutPoll}, // above NSIGBUS, within NSIGPOLL
		{signal.Ill, signal.IllBadIAddr, signalfd.LayoutFault},
		{signal.FPE, signal.FPECondTrap, signalfd.LayoutFault},
		{signal.Trap, signal.TrapPerf, signalfd.LayoutFault},
		{signal.Chld, signal.CldContinued, signalfd.LayoutChild},
		{signal.Chld, 7, signalfd.LayoutKill},
		{signal.IO, signal.PollIn, signalfd.LayoutPoll},
		{signal.Sys, signal.SysUserDispatch, signalfd.LayoutSys},
		{signal.Sys, 3, signalfd.LayoutPoll},
	} {
		if got := signalfd.LayoutOf(c.sig, c.code); got != c.want {
			t.Errorf("LayoutOf(%v, %s) = %v, want %v", c.sig, c.code.Name(c.sig), got, c.want)
		}
	}
	if got := signalfd.Layout(99).String(); got != "Layout(99)" {
		t.Errorf("Layout(99) = %q", got)
	}
	if got := signalfd.LayoutFaultMCE.String(); got != "fault-mce" {
		t.Errorf("LayoutFaultMCE = %q", got)
	}
}

func TestOriginOf(t *testing.T) {
	for code, want := range map[signal.Code]signalfd.Origin{
		signal.CodeKernel:  signalfd.FromKernel,
		signal.CldExited:   signalfd.FromKernel,
		signal.CodeUser:    signalfd.FromProcess,
		signal.CodeTkill:   signalfd.FromProcess,
		signal.CodeQueue:   signalfd.Unverified,
		signal.CodeTimer:   signalfd.Unverified,
		signal.CodeAsyncNL: signalfd.Unverified,
	} {
		if got := signalfd.OriginOf(code); got != want {
			t.Errorf("OriginOf(%v) = %v, want %v", code, got, want)
		}
	}
	if got := signalfd.Origin(0).String(); got != "Origin(0)" {
		t.Errorf("Origin(0) = %q", got)
	}
}

func TestChildStatus(t *testing.T) {
	exited := signalfd.Siginfo{Signal: signal.Chld, Code: signal.CldExited, Status: 3}
	if c, ok := exited.ExitCode(); !ok || c != 3 {
		t.Errorf("ExitCode = %d, %v", c, ok)
	}
	if _, ok := exited.ChildSignal(); ok {
		t.Error("ChildSignal of an exit")
	}
	killed := signalfd.Siginfo{Signal: signal.Chld, Code: signal.CldDumped, Status: 11}
	if s, ok := killed.ChildSignal(); !ok || s != signal.Segv {
		t.Errorf("ChildSignal = %v, %v", s, ok)
	}
	if _, ok := killed.ExitCode(); ok {
		t.Error("ExitCode of a kill")
	}
	forged := signalfd.Siginfo{Signal: signal.Chld, Code: signal.CodeQueue, Status: 3}
	if _, ok := forged.ExitCode(); ok {
		t.Error("ExitCode of an SI_QUEUE SIGCHLD")
	}
}

func TestBandText(t *testing.T) {
	b := signalfd.PollIn | signalfd.PollRdNorm | 0x8000
	if got := b.String(); got != "POLLIN|POLLRDNORM|0x8000" {
		t.Errorf("String = %q", got)
	}
	text, _ := b.MarshalText()
	var back signalfd.Band
	if err := back.UnmarshalText(text); err != nil || back != b {
		t.Errorf("UnmarshalText(%q) = %v, %v", text, back, err)
	}
	if err := back.UnmarshalText([]byte("POLLNOPE")); err == nil {
		t.Error("UnmarshalText accepted POLLNOPE")
	}
}

func TestParseSiginfoErrors(t *testing.T) {
	if _, err := signalfd.ParseSiginfo(make([]byte, 127)); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("127 bytes: %v", err)
	}
	b := make([]byte, signalfd.Size)
	binary.NativeEndian.PutUint32(b[abi.SsiSigno:], uint32(signal.Chld))
	binary.NativeEndian.PutUint32(b[abi.SsiCode:], uint32(signal.CldExited))
	binary.NativeEndian.PutUint64(b[abi.SsiStime:], 1<<62)
	if _, err := signalfd.ParseSiginfo(b); err == nil {
		t.Error("a CPU time of 2^62 ticks did not overflow")
	}
}

// BenchmarkParseSiginfo: decoding allocates nothing.
func BenchmarkParseSiginfo(b *testing.B) {
	raw := make([]byte, signalfd.Size)
	binary.NativeEndian.PutUint32(raw[abi.SsiSigno:], uint32(signal.Chld))
	binary.NativeEndian.PutUint32(raw[abi.SsiCode:], uint32(signal.CldExited))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := signalfd.ParseSiginfo(raw); err != nil {
			b.Fatal(err)
		}
	}
}

func TestSize(t *testing.T) {
	if signalfd.Size != abi.SignalfdSiginfoSize {
		t.Errorf("Size %d, struct signalfd_siginfo %d", signalfd.Size, abi.SignalfdSiginfoSize)
	}
}
