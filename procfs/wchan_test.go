package procfs

import (
	"testing"
	"time"
)

func TestParseWChan(t *testing.T) {
	for in, want := range map[string]string{
		"0":                 "",
		"0\n":               "",
		"":                  "",
		"hrtimer_nanosleep": "hrtimer_nanosleep",
		"do_epoll_wait\n":   "do_epoll_wait",
		"  pipe_read  ":     "pipe_read",
		"00":                "00",
	} {
		var got string
		if err := parseWChan([]byte(in), &got); err != nil || got != want {
			t.Errorf("parseWChan(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestWChanChild reads the wait channel of a sleeping child.
func TestWChanChild(t *testing.T) {
	child := startSleeper(t)
	p := mustProc(t, Default(), child.Process.Pid)
	var w string
	var err error
	// Sleeping as waitSleeping saw, but the kernel may print "0" for a
	// moment while the child is being woken by a signal; retry briefly.
	for i := 0; i < 100; i++ {
		if w, err = p.WChan(); err != nil || w != "" {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err != nil || w == "" {
		t.Fatalf("WChan of a sleeping process = %q, %v", w, err)
	}
	t.Logf("sleep waits in %s", w)
	if _, err := Default().Self().WChan(); err != nil {
		t.Errorf("WChan(self): %v", err)
	}
}

func FuzzParseWChan(f *testing.F) {
	f.Add([]byte("0\n"))
	f.Add([]byte("do_epoll_wait"))
	f.Fuzz(func(t *testing.T, b []byte) {
		var s string
		if parseWChan(b, &s); s == "0" {
			t.Errorf("parseWChan(%q) = \"0\"", b)
		}
	})
}
