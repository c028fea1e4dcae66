package cpu

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/lxgo/lx/internal/pseudofs"
)

// SMT is the state of simultaneous multithreading (hyper-threading)
// control, from /sys/devices/system/cpu/smt (Linux 4.18, x86 first;
// powerpc, s390, arm64 and others later; no privilege to read).
type SMT struct {
	// Control is the control file's word: whether sibling threads may be
	// brought online.
	Control SMTControl
	// Threads is the number of threads per core the control file names
	// when it prints a number instead of a word (powerpc since 6.6, when
	// some but not all threads are enabled); 0 otherwise.
	Threads int
	// Active reports whether sibling threads are online now (active).
	Active bool
}

// SMTControl is the word of /sys/devices/system/cpu/smt/control. Its text
// form is the kernel's word; a word lx does not know is kept as it is.
type SMTControl string

// The words of smt/control (Documentation/ABI/testing/
// sysfs-devices-system-cpu).
const (
	SMTOn             SMTControl = "on"             // sibling threads may be online
	SMTOff            SMTControl = "off"            // taken offline; root may turn it on again
	SMTForceOff       SMTControl = "forceoff"       // off until reboot (nosmt=force)
	SMTNotSupported   SMTControl = "notsupported"   // the CPU has no SMT
	SMTNotImplemented SMTControl = "notimplemented" // the architecture has no SMT control
)

// String returns the kernel's word.
func (c SMTControl) String() string { return string(c) }

// MarshalText returns the kernel's word.
func (c SMTControl) MarshalText() ([]byte, error) { return []byte(c), nil }

// UnmarshalText accepts what ParseSMTControl accepts, except a number.
func (c *SMTControl) UnmarshalText(b []byte) error {
	v, n, err := ParseSMTControl(b)
	if err == nil && n != 0 {
		err = &invalidError{errors.New("smt control " + strconv.Quote(string(b)) + " is a thread count")}
	}
	if err != nil {
		return err
	}
	*c = v
	return nil
}

// ParseSMTControl parses the text of smt/control, with or without its
// newline. A number (a thread count) gives SMTOn and the number as
// threads; a word gives the word and 0. The kernel's words are returned
// without allocating; an unknown word without white space is kept.
func ParseSMTControl[T ~string | ~[]byte](text T) (c SMTControl, threads int, err error) {
	b := value([]byte(text))
	switch string(b) {
	case "on":
		return SMTOn, 0, nil
	case "off":
		return SMTOff, 0, nil
	case "forceoff":
		return SMTForceOff, 0, nil
	case "notsupported":
		return SMTNotSupported, 0, nil
	case "notimplemented":
		return SMTNotImplemented, 0, nil
	}
	if len(b) > 0 && b[0] >= '0' && b[0] <= '9' {
		n, err := parseCount(b)
		if err != nil {
			return "", 0, err
		}
		if n == 0 {
			return "", 0, &invalidError{errors.New("smt control of 0 threads")}
		}
		return SMTOn, n, nil
	}
	if len(b) == 0 {
		return "", 0, &invalidError{errors.New("empty smt control")}
	}
	for _, ch := range b {
		if ch <= ' ' || ch == 0x7f {
			return "", 0, &invalidError{errors.New("smt control " + strconv.Quote(string(b)) + " holds white space or a control character")}
		}
	}
	return SMTControl(b), 0, nil
}

// SMTState returns the SMT control state of the running system: see
// FS.SMTState.
func SMTState() (SMT, error) { return Default().SMTState() }

// SMTState reads /sys/devices/system/cpu/smt/control and smt/active. A
// kernel older than 4.18, or built without CONFIG_HOTPLUG_SMT, has no
// smt directory: the error then matches fs.ErrNotExist.
func (fs FS) SMTState() (SMT, error) {
	var s SMT
	dir := fs.fs.Sys + "/devices/system/cpu/smt/"
	err := pseudofs.WithFile(dir+"control", func(b []byte) error {
		var err error
		s.Control, s.Threads, err = ParseSMTControl(b)
		return parseErr(dir+"control", err)
	})
	if err == nil {
		err = pseudofs.WithFile(dir+"active", func(b []byte) error {
			var err error
			s.Active, err = parseFlag(b)
			return parseErr(dir+"active", err)
		})
	}
	if err != nil {
		return SMT{}, fmt.Errorf("cpu smt read: %w", err)
	}
	return s, nil
}
