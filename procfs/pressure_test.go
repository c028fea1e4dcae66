package procfs

import (
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/lxgo/lx/kernel"
)

func TestParsePressure(t *testing.T) {
	tests := []struct {
		in   string
		want Pressure
		err  bool
	}{
		{
			in: "some avg10=50.98 avg60=15.90 avg300=4.51 total=25949495\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n",
			want: Pressure{
				Some:    PressureStat{50.98, 15.90, 4.51, 25949495 * time.Microsecond},
				HasSome: true, HasFull: true,
			},
		},
		{
			in:   "some avg10=0.12 avg60=0.34 avg300=1.56 total=123456789\n",
			want: Pressure{Some: PressureStat{0.12, 0.34, 1.56, 123456789 * time.Microsecond}, HasSome: true},
		},
		{
			in:   "full avg10=3.00 avg60=2.00 avg300=1.00 total=42\n",
			want: Pressure{Full: PressureStat{3, 2, 1, 42 * time.Microsecond}, HasFull: true},
		},
		{
			// Fields in another order, an unknown field and an unknown line.
			in:   "some total=1 avg300=3.00 avg60=2.00 avg10=1.00 avg3600=9.00\nmaybe avg10=1.00\n",
			want: Pressure{Some: PressureStat{1, 2, 3, time.Microsecond}, HasSome: true},
		},
		{in: "some avg10=1.00 total=9223372036854776\n", err: true},
		{in: "some avg10=x\n", err: true},
		{in: "some avg10=1.5\n", err: true}, // the kernel prints two decimals
		{in: "some avg10=1.0x\n", err: true},
		{in: "some avg10=x.00\n", err: true},
		{in: "some avg10\n", err: true},
		{in: "some total=-1\n", err: true},
		{in: "", err: true},
		{in: "\n\n", err: true},
	}
	for _, tt := range tests {
		got, err := ParsePressure([]byte(tt.in))
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("ParsePressure(%q) = %+v, %v; want %+v, err %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

// TestParsePercent checks the allocation-free reading of the averages
// against strconv.ParseFloat.
func TestParsePercent(t *testing.T) {
	for _, in := range []string{"0.00", "12.34", "100.00", "0.05", "99.99"} {
		want, _ := strconv.ParseFloat(in, 64)
		if got, err := parsePercent([]byte(in)); err != nil || got != want {
			t.Errorf("parsePercent(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
}

func TestPressureFixtures(t *testing.T) {
	tests := []struct {
		file             string
		hasSome, hasFull bool
	}{
		{"pressure-cpu-6.18", true, true},
		{"pressure-io-6.18", true, true},
		{"pressure-memory-6.18", true, true},
		{"pressure-cpu-5.4-nofull", true, false},
		{"pressure-irq-6.1-fullonly", false, true},
		{"pressure-memory-saturated", true, true},
	}
	for _, tt := range tests {
		p, err := ParsePressure(systemFixture(t, tt.file))
		if err != nil || p.HasSome != tt.hasSome || p.HasFull != tt.hasFull {
			t.Errorf("%s: %+v, %v", tt.file, p, err)
		}
	}
	p, _ := ParsePressure(systemFixture(t, "pressure-memory-saturated"))
	if p.Some.Total != 9223372036854775*time.Microsecond || p.Full.Avg300 != 100 {
		t.Errorf("saturated: %+v", p)
	}
}

func TestPressureRoot(t *testing.T) {
	fs := systemRoot(t, map[string]string{
		"pressure/cpu": "some avg10=1.00 avg60=2.00 avg300=3.00 total=4\n",
		"pressure/irq": "full avg10=1.00 avg60=2.00 avg300=3.00 total=4\n",
	})
	p, err := fs.Pressure(ResourceCPU)
	if err != nil || !p.HasSome || p.HasFull || p.Some.Avg300 != 3 {
		t.Errorf("cpu: %+v, %v", p, err)
	}
	p, err = fs.Pressure(ResourceIRQ)
	if err != nil || p.HasSome || !p.HasFull || p.Full.Total != 4*time.Microsecond {
		t.Errorf("irq: %+v, %v", p, err)
	}
	// No file: PSI is not here, which is ErrUnsupported with the detail.
	_, err = fs.Pressure(ResourceMemory)
	var fe *kernel.FeatureError
	if !errors.Is(err, errors.ErrUnsupported) || !errors.As(err, &fe) || fe.MinKernel != kernel.V(4, 20) {
		t.Errorf("memory: %v", err)
	}
	if _, err := fs.Pressure(Resource(9)); err == nil || errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("bad resource: %v", err)
	}
	if s := Resource(9).String(); s != "Resource(9)" {
		t.Errorf("String = %q", s)
	}
}

func TestPressureKernel(t *testing.T) {
	fs := Default()
	for _, r := range []Resource{ResourceCPU, ResourceMemory, ResourceIO, ResourceIRQ} {
		t.Run(r.String(), func(t *testing.T) {
			p, err := fs.Pressure(r)
			if errors.Is(err, errors.ErrUnsupported) {
				// PSI depends on CONFIG_PSI, psi= on the command line and,
				// for irq, CONFIG_IRQ_TIME_ACCOUNTING: not the version.
				t.Skipf("no PSI here: %v", err)
			}
			if err != nil {
				t.Fatal(err)
			}
			if r == ResourceIRQ {
				if p.HasSome || !p.HasFull {
					t.Errorf("irq: want only a full line: %+v", p)
				}
			} else if !p.HasSome {
				t.Errorf("no some line: %+v", p)
			}
			for _, s := range []PressureStat{p.Some, p.Full} {
				for _, a := range []float64{s.Avg10, s.Avg60, s.Avg300} {
					if a < 0 || a > 100 {
						t.Errorf("average %v out of range: %+v", a, p)
					}
				}
				if s.Total < 0 {
					t.Errorf("negative total: %+v", p)
				}
			}
			if v, err := kernel.Running(); err == nil && v.AtLeast(kernel.V(5, 13)) && !p.HasFull {
				t.Errorf("kernel %s has a full line for %s: %+v", v, r, p)
			}
		})
	}
}

func TestPressureAllocs(t *testing.T) {
	if systemRace {
		t.Skip("sync.Pool drops buffers under the race detector")
	}
	fs := Default()
	if _, err := fs.Pressure(ResourceMemory); err != nil {
		t.Skip(err)
	}
	if n := testing.AllocsPerRun(50, func() { fs.Pressure(ResourceMemory) }); n != 0 {
		t.Errorf("Pressure allocates %v times per call", n)
	}
}

func FuzzParsePressure(f *testing.F) {
	seedSystemFixtures(f, "pressure-")
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ParsePressure(b)
		if err == nil && !p.HasSome && !p.HasFull {
			t.Error("success without a line")
		}
		if p.Some.Total < 0 || p.Full.Total < 0 {
			t.Errorf("negative total: %+v", p)
		}
	})
}

func BenchmarkPressure(b *testing.B) {
	fs := Default()
	if _, err := fs.Pressure(ResourceMemory); err != nil {
		b.Skip(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		fs.Pressure(ResourceMemory)
	}
}
