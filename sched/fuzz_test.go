package sched

import "testing"

func FuzzParse(f *testing.F) {
	for _, s := range []string{"SCHED_FIFO", "normal", "8", "1073741825", "rr|SCHED_RESET_ON_FORK", "4294967296", "|"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		p, err := Parse(in)
		if err != nil {
			if p != 0 {
				t.Fatalf("Parse(%q) = %#x with error %v", in, uint32(p), err)
			}
			return
		}
		back, err := Parse(p.String())
		if err != nil || back != p {
			t.Fatalf("Parse(%q) = %#x; Parse(%q) = %#x, %v", in, uint32(p), p.String(), uint32(back), err)
		}
	})
}
