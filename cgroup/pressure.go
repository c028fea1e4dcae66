package cgroup

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/lxgo/lx/internal/parse"
	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/kernel"
	"github.com/lxgo/lx/procfs"
)

// Pressure stall information per cgroup (Documentation/accounting/psi.rst,
// "Cgroup2 interface"): {cpu,memory,io,irq}.pressure, which exist in every
// non-root cgroup of a kernel with PSI (Linux 4.20; irq.pressure 6.1 with
// CONFIG_IRQ_TIME_ACCOUNTING), whatever its controllers. Their format is
// /proc/pressure's, and their values are procfs's types.

// pressureFile is the cgroup file of resource r.
func pressureFile(r procfs.Resource) (string, error) {
	switch r {
	case procfs.ResourceCPU, procfs.ResourceMemory, procfs.ResourceIO, procfs.ResourceIRQ:
		return r.String() + ".pressure", nil
	}
	return "", fmt.Errorf("cgroup pressure: invalid resource %d: %w", int(r), fs.ErrInvalid)
}

// pressureUnsupported turns a missing pressure file into a
// *kernel.FeatureError.
func pressureUnsupported(r procfs.Resource, err error) error {
	var pe *ParseError
	if errors.As(err, &pe) || !(errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.EOPNOTSUPP)) {
		return err
	}
	min := kernel.V(4, 20)
	feature := "cgroup pressure stall information for " + r.String() + " (CONFIG_PSI, not booted with psi=0, cgroup.pressure 1)"
	if r == procfs.ResourceIRQ {
		min = kernel.V(6, 1)
		feature = "cgroup pressure stall information for irq (CONFIG_PSI and CONFIG_IRQ_TIME_ACCOUNTING)"
	}
	return &kernel.FeatureError{Feature: feature, MinKernel: min, Err: err}
}

// Pressure reads the cgroup's <r>.pressure file: the share of time its
// tasks stalled on resource r. Any user may read it. A kernel without
// PSI, or a cgroup whose cgroup.pressure is 0 (Linux 6.1), gives a
// *kernel.FeatureError matching errors.ErrUnsupported.
func (c *Cgroup) Pressure(r procfs.Resource) (procfs.Pressure, error) {
	name, err := pressureFile(r)
	if err != nil {
		return procfs.Pressure{}, err
	}
	p, err := readFile(c, name, procfs.ParsePressure)
	if err != nil {
		return procfs.Pressure{}, fmt.Errorf("cgroup %s read: %w", name, pressureUnsupported(r, err))
	}
	return p, nil
}

// StallKind is the line of a pressure file a trigger watches.
type StallKind int

// The two kinds of stall.
const (
	// Some is time in which at least one task stalled on the resource.
	Some StallKind = iota + 1
	// Full is time in which all non-idle tasks stalled at once.
	Full
)

// String returns "some" or "full", or "StallKind(N)".
func (k StallKind) String() string {
	switch k {
	case Some:
		return "some"
	case Full:
		return "full"
	}
	return "StallKind(" + strconv.Itoa(int(k)) + ")"
}

// Trigger limits: psi_trigger_create in kernel/sched/psi.c.
const (
	minTriggerWindow = 500 * time.Millisecond
	maxTriggerWindow = 10 * time.Second
	// unprivilegedWindow is the granularity of windows that a writer
	// without CAP_SYS_RESOURCE may use from Linux 6.5 on.
	unprivilegedWindow = 2 * time.Second
)

// TriggerSpec is a pressure trigger: fire when the tasks stall for at
// least Stall within a Window (a moving window). Both are whole
// microseconds; Window is 500ms..10s and Stall 1µs..Window. A writer
// without CAP_SYS_RESOURCE may create triggers from Linux 6.5 on, with a
// Window that is a multiple of 2s (they are evaluated with the 2s
// averages instead of a real-time poller).
type TriggerSpec struct {
	Kind   StallKind
	Stall  time.Duration
	Window time.Duration
}

// String returns the text written to the pressure file, stall and window
// in microseconds: "some 150000 1000000".
func (s TriggerSpec) String() string {
	b, _ := s.AppendText(nil)
	return string(b)
}

// AppendText appends String's text to b; an invalid spec is an error
// naming the field.
func (s TriggerSpec) AppendText(b []byte) ([]byte, error) {
	if err := s.check(); err != nil {
		return b, err
	}
	b = append(b, s.Kind.String()...)
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(s.Stall/time.Microsecond), 10)
	b = append(b, ' ')
	return strconv.AppendInt(b, int64(s.Window/time.Microsecond), 10), nil
}

// MarshalText returns String's text.
func (s TriggerSpec) MarshalText() ([]byte, error) { return s.AppendText(nil) }

// UnmarshalText sets *s from the kernel's text (ParseTriggerSpec).
func (s *TriggerSpec) UnmarshalText(text []byte) error {
	v, err := ParseTriggerSpec(text)
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// ParseTriggerSpec parses "some 150000 1000000" or "full ...": the kind,
// the stall and the window in microseconds, checked as the kernel checks
// them.
func ParseTriggerSpec[T ~string | ~[]byte](text T) (TriggerSpec, error) {
	b := parse.Trim([]byte(text))
	kind, rest := parse.Field(b)
	stall, rest := parse.Field(rest)
	window, rest := parse.Field(rest)
	var s TriggerSpec
	switch string(kind) {
	case "some":
		s.Kind = Some
	case "full":
		s.Kind = Full
	}
	st, err1 := parse.Uint(stall)
	win, err2 := parse.Uint(window)
	if s.Kind == 0 || err1 != nil || err2 != nil || len(parse.TrimBlank(rest)) != 0 || st > math.MaxInt64/1000 || win > math.MaxInt64/1000 {
		return TriggerSpec{}, fmt.Errorf("cgroup pressure trigger %q: want \"some|full STALL_US WINDOW_US\": %w", text, strconv.ErrSyntax)
	}
	s.Stall, s.Window = time.Duration(st)*time.Microsecond, time.Duration(win)*time.Microsecond
	if err := s.check(); err != nil {
		return TriggerSpec{}, err
	}
	return s, nil
}

func (s TriggerSpec) check() error {
	if s.Kind != Some && s.Kind != Full {
		return fmt.Errorf("cgroup pressure trigger kind %v: want some or full: %w", s.Kind, fs.ErrInvalid)
	}
	if _, err := durationUsec("cgroup pressure trigger window", s.Window); err != nil {
		return err
	}
	if _, err := durationUsec("cgroup pressure trigger stall", s.Stall); err != nil {
		return err
	}
	if s.Window < minTriggerWindow || s.Window > maxTriggerWindow {
		return fmt.Errorf("cgroup pressure trigger window %v: want %v..%v: %w", s.Window, minTriggerWindow, maxTriggerWindow, fs.ErrInvalid)
	}
	if s.Stall <= 0 || s.Stall > s.Window {
		return fmt.Errorf("cgroup pressure trigger stall %v: want 1µs..%v (the window): %w", s.Stall, s.Window, fs.ErrInvalid)
	}
	return nil
}

// Trigger is a PSI trigger on one of a cgroup's pressure files (Linux
// 5.2): its own open file, on which the kernel keeps the trigger. The
// trigger exists for as long as the Trigger is open; Close is idempotent
// and ends a Wait in progress. A Trigger is safe for concurrent use.
//
// Wait blocks its goroutine's thread in poll(2) instead of parking in the
// runtime's poller: the kernel reports a fired trigger as POLLPRI and
// clears it in the file's poll method, so an epoll instance nested in the
// runtime's poller (which cgroup.events can use) loses it: the runtime's
// check of the nested instance polls the file first and consumes the
// event. Cancellation and Close wake the poll through an eventfd of the
// Wait's own; no goroutine outlives the call.
type Trigger struct {
	name string
	spec TriggerSpec

	mu      sync.Mutex
	file    *sys.FD // the pressure file, holding the trigger; nil after Close
	waiters map[*sys.FD]struct{}
	active  sync.WaitGroup
}

// NewTrigger creates a pressure trigger on the cgroup's <r>.pressure file:
// it opens the file read-write and writes spec. It needs write access to
// the file (and, from Linux 6.5, CAP_SYS_RESOURCE for a window that is
// not a multiple of 2s: without it the kernel says EINVAL, and the error
// says so). The kernel fires the trigger at most once per window. The
// returned Trigger is the caller's to Close.
func (c *Cgroup) NewTrigger(r procfs.Resource, spec TriggerSpec) (*Trigger, error) {
	t, err := c.newTrigger(r, spec)
	if err != nil {
		return nil, fmt.Errorf("cgroup pressure trigger %s %v: %w", c.path, spec, err)
	}
	return t, nil
}

func (c *Cgroup) newTrigger(r procfs.Resource, spec TriggerSpec) (*Trigger, error) {
	name, err := pressureFile(r)
	if err != nil {
		return nil, err
	}
	b, err := spec.AppendText(nil)
	if err != nil {
		return nil, err
	}
	raw, err := c.openFile(name, sys.O_RDWR)
	if err != nil {
		return nil, pressureUnsupported(r, err)
	}
	file := sys.NewFD(raw)
	if _, err := sys.Write(raw, b); err != nil {
		file.Close()
		err = &fs.PathError{Op: "write", Path: c.file(name), Err: sys.Errno(err)}
		if errors.Is(err, syscall.EINVAL) && spec.Window%unprivilegedWindow != 0 {
			return nil, fmt.Errorf("%w (without CAP_SYS_RESOURCE, Linux 6.5 and later accept only windows that are multiples of %v)", err, unprivilegedWindow)
		}
		return nil, err
	}
	return &Trigger{file: file, name: c.file(name), spec: spec, waiters: map[*sys.FD]struct{}{}}, nil
}

// Spec returns the trigger's spec.
func (t *Trigger) Spec() TriggerSpec { return t.spec }

// Wait blocks until the trigger fires and returns nil, or returns
// ctx.Err() when ctx ends first, or an error matching os.ErrClosed after
// Close. Each firing is reported once, to one Wait: a firing while no
// Wait runs is reported by the next. When the cgroup is removed the
// trigger goes with it, and Wait returns an error matching
// fs.ErrNotExist.
func (t *Trigger) Wait(ctx context.Context) error {
	if err := t.wait(ctx); err != nil {
		return fmt.Errorf("cgroup pressure trigger %s wait: %w", t.name, err)
	}
	return nil
}

func (t *Trigger) wait(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	wake, err := sys.Eventfd(0, sys.EFD_NONBLOCK)
	if err != nil {
		return err
	}
	t.mu.Lock()
	if t.file == nil {
		t.mu.Unlock()
		wake.Close()
		return os.ErrClosed
	}
	fd := t.file.Int()
	t.waiters[wake] = struct{}{}
	t.active.Add(1)
	t.mu.Unlock()
	defer func() {
		t.mu.Lock()
		delete(t.waiters, wake)
		t.mu.Unlock()
		t.active.Done()
		wake.Close()
	}()
	cancelled := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		wakeUp(wake)
		close(cancelled)
	})
	revents, err := sys.PollPri(fd, wake.Int())
	if !stop() {
		<-cancelled // the write is done: wake may be closed now
	}
	switch {
	case err != nil:
		return err
	case revents == sys.POLLPRI:
		return nil
	case revents != 0:
		// A removed cgroup's files poll as POLLERR|POLLPRI (kernfs), as
		// does a file without a trigger.
		return fmt.Errorf("the file reports an error (poll events %#x): the cgroup was removed: %w", revents, fs.ErrNotExist)
	case ctx.Err() != nil:
		return ctx.Err()
	}
	return os.ErrClosed
}

// wakeUp adds 1 to the eventfd wake, ending a PollPri on it.
func wakeUp(wake *sys.FD) {
	var one [8]byte
	binary.NativeEndian.PutUint64(one[:], 1)
	sys.Write(wake.Int(), one[:])
}

// Close removes the trigger (closing its file), ending a Wait in
// progress, which returns an error matching os.ErrClosed. A second Close
// returns nil.
func (t *Trigger) Close() error {
	t.mu.Lock()
	if t.file == nil {
		t.mu.Unlock()
		return nil
	}
	file := t.file
	t.file = nil
	for wake := range t.waiters {
		wakeUp(wake)
	}
	t.mu.Unlock()
	t.active.Wait()
	return file.Close()
}
