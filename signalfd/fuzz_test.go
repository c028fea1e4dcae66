package signalfd_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/lxgo/lx/signalfd"
)

// FuzzParseSiginfo: any bytes decode or fail without a panic, and a
// decoded record sets only the fields of its layout.
func FuzzParseSiginfo(f *testing.F) {
	paths, _ := filepath.Glob("testdata/siginfo-*")
	for _, p := range paths {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add(make([]byte, 3))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := signalfd.ParseSiginfo(b)
		if err != nil {
			return
		}
		l := s.Layout()
		has := func(ls ...signalfd.Layout) bool {
			for _, x := range ls {
				if x == l {
					return true
				}
			}
			return false
		}
		for _, c := range []struct {
			name   string
			set    bool
			layout []signalfd.Layout
		}{
			{"PID/UID", s.PID != 0 || s.UID != 0, []signalfd.Layout{signalfd.LayoutKill, signalfd.LayoutRT, signalfd.LayoutChild}},
			{"Value", s.Value != (signalfd.Value{}), []signalfd.Layout{signalfd.LayoutRT, signalfd.LayoutTimer}},
			{"timer", s.TimerID != 0 || s.Overrun != 0, []signalfd.Layout{signalfd.LayoutTimer}},
			{"child", s.Status != 0 || s.UserTime != 0 || s.SystemTime != 0, []signalfd.Layout{signalfd.LayoutChild}},
			{"Addr", s.Addr != 0, []signalfd.Layout{signalfd.LayoutFault, signalfd.LayoutFaultMCE}},
			{"AddrLSB", s.AddrLSB != 0, []signalfd.Layout{signalfd.LayoutFaultMCE}},
			{"TrapNo", s.TrapNo != 0, []signalfd.Layout{signalfd.LayoutFault}},
			{"poll", s.Band != 0 || s.FD != 0, []signalfd.Layout{signalfd.LayoutPoll}},
			{"sys", s.CallAddr != 0 || s.Syscall != 0 || s.Arch != 0, []signalfd.Layout{signalfd.LayoutSys}},
		} {
			if c.set && !has(c.layout...) {
				t.Errorf("%s set in a %v record: %+v", c.name, l, s)
			}
		}
		if s.UserTime < 0 || s.SystemTime < 0 {
			t.Errorf("negative CPU time: %+v", s)
		}
	})
}
