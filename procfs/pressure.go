package procfs

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"syscall"
	"time"

	"github.com/lxgo/lx/internal/parse"
	"github.com/lxgo/lx/kernel"
)

// Resource is a resource whose pressure stall information (PSI) the kernel
// tracks: a file in /proc/pressure.
type Resource int

// The PSI resources.
const (
	ResourceCPU    Resource = iota // /proc/pressure/cpu (4.20)
	ResourceMemory                 // /proc/pressure/memory (4.20)
	ResourceIO                     // /proc/pressure/io (4.20)
	ResourceIRQ                    // /proc/pressure/irq (6.1, needs CONFIG_IRQ_TIME_ACCOUNTING)
)

// resourceNames are the PSI file names, by Resource.
var resourceNames = [...]string{"cpu", "memory", "io", "irq"}

// String returns the file name: "cpu", "memory", "io" or "irq"; or
// "Resource(N)" for a value that is no Resource.
func (r Resource) String() string {
	if r >= 0 && int(r) < len(resourceNames) {
		return resourceNames[r]
	}
	return fmt.Sprintf("Resource(%d)", int(r))
}

// MarshalText returns the file name; a value that is no Resource is an
// error.
func (r Resource) MarshalText() ([]byte, error) {
	return enumText(resourceNames[:], r, "pressure resource")
}

// UnmarshalText sets *r from a file name of /proc/pressure: "cpu",
// "memory", "io" or "irq", exactly. Anything else is an error wrapping
// strconv.ErrSyntax.
func (r *Resource) UnmarshalText(text []byte) error {
	return enumUnmarshal(resourceNames[:], r, text, "pressure resource")
}

// minKernel is the first kernel with the resource's pressure file.
func (r Resource) minKernel() kernel.Version {
	if r == ResourceIRQ {
		return kernel.V(6, 1)
	}
	return kernel.V(4, 20)
}

// PressureStat is one line of a PSI file: the share of wall time in which
// tasks were stalled on the resource.
type PressureStat struct {
	// Avg10, Avg60 and Avg300 are the stalled share in percent (0 to 100)
	// averaged over the last 10, 60 and 300 seconds.
	Avg10, Avg60, Avg300 float64
	// Total is the accumulated stall time since boot (the file's total=,
	// in microseconds).
	Total time.Duration
}

// Pressure is a PSI file (Documentation/accounting/psi.rst). "some" is time
// in which at least one task was stalled, "full" time in which all
// non-idle tasks were stalled at once.
type Pressure struct {
	Some PressureStat
	Full PressureStat
	// HasSome and HasFull report which lines the file had. The system-wide
	// cpu file has a full line only since 5.13; the irq file has only a
	// full line.
	HasSome, HasFull bool
}

// Pressure reads /proc/pressure/cpu, memory, io or irq: the system-wide
// pressure stall information (4.20; irq 6.1). It allocates nothing. Any user
// can read it. When the kernel has no PSI (built without CONFIG_PSI, booted
// with psi=0, or without CONFIG_IRQ_TIME_ACCOUNTING for irq) the error is a
// *kernel.FeatureError matching errors.ErrUnsupported.
func (fs FS) Pressure(r Resource) (Pressure, error) {
	var name string
	switch r {
	case ResourceCPU:
		name = "pressure/cpu"
	case ResourceMemory:
		name = "pressure/memory"
	case ResourceIO:
		name = "pressure/io"
	case ResourceIRQ:
		name = "pressure/irq"
	default:
		return Pressure{}, fmt.Errorf("pressure read: invalid resource %d: %w", int(r), os.ErrInvalid)
	}
	p, err := readFSSingle(fs, name, ParsePressure)
	if err != nil {
		var pe *ParseError
		if !errors.As(err, &pe) && (errors.Is(err, os.ErrNotExist) || errors.Is(err, syscall.EOPNOTSUPP)) {
			feature := "pressure stall information for " + r.String() + " (CONFIG_PSI, not booted with psi=0)"
			if r == ResourceIRQ {
				feature = "pressure stall information for irq (CONFIG_PSI and CONFIG_IRQ_TIME_ACCOUNTING)"
			}
			err = &kernel.FeatureError{Feature: feature, MinKernel: r.minKernel(), Err: err}
		}
		return Pressure{}, err
	}
	return p, nil
}

// ParsePressure parses a pressure stall information file, of
// /proc/pressure or of a cgroup (cpu.pressure, memory.pressure, ...):
//
//	some avg10=0.00 avg60=0.00 avg300=0.00 total=0
//	full avg10=0.00 avg60=0.00 avg300=0.00 total=0
//
// Lines and fields it does not know are skipped; a file without a some
// or full line is an error. It does not allocate.
func ParsePressure(b []byte) (Pressure, error) {
	var p Pressure
	for n := 1; len(b) > 0; n++ {
		var line []byte
		line, b = parse.Line(b)
		kind, rest := parse.Field(line)
		var st *PressureStat
		switch string(kind) {
		case "":
			continue
		case "some":
			st, p.HasSome = &p.Some, true
		case "full":
			st, p.HasFull = &p.Full, true
		default:
			continue // a line a future kernel may add
		}
		for {
			var f []byte
			f, rest = parse.Field(rest)
			if len(f) == 0 {
				break
			}
			k, v, ok := parse.KeyValue(f, '=')
			if !ok {
				return Pressure{}, parseErr(n, string(kind), fmt.Errorf("field %q without '='", f))
			}
			var err error
			switch string(k) {
			case "avg10":
				st.Avg10, err = parsePercent(v)
			case "avg60":
				st.Avg60, err = parsePercent(v)
			case "avg300":
				st.Avg300, err = parsePercent(v)
			case "total":
				var us uint64
				us, err = parse.Uint(v)
				if err == nil && us > uint64(1<<63-1)/uint64(time.Microsecond) {
					err = errRange("microseconds to time.Duration", v)
				}
				st.Total = time.Duration(us) * time.Microsecond
			}
			if err != nil {
				return Pressure{}, parseErr(n, string(kind)+" "+string(k), err)
			}
		}
	}
	if !p.HasSome && !p.HasFull {
		return Pressure{}, parseErr(0, "", errors.New("no some or full line"))
	}
	return p, nil
}

// parsePercent parses the kernel's "%lu.%02lu" averages without
// allocating: digits, a point, two digits.
func parsePercent(b []byte) (float64, error) {
	whole, frac, ok := cutByte(b, '.')
	if !ok || len(frac) != 2 {
		return 0, &strconv.NumError{Func: "pressure average", Num: string(b), Err: strconv.ErrSyntax}
	}
	w, err := parse.Uint(whole)
	if err != nil {
		return 0, err
	}
	f, err := parse.Uint(frac)
	if err != nil {
		return 0, err
	}
	if w > 1<<53/100 {
		return 0, errRange("pressure average", b)
	}
	return float64(w*100+f) / 100, nil
}
