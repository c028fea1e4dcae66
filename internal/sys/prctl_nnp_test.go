package sys_test

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/internal/thread"
)

// SetNoNewPrivs sets the flag of the calling thread only (a disposable
// one here: the flag cannot be cleared).
func TestSetNoNewPrivs(t *testing.T) {
	var got string
	err := thread.Run(func(th *thread.Thread) error {
		th.Taint()
		if err := sys.SetNoNewPrivs(); err != nil {
			return err
		}
		got = noNewPrivs("thread-self")
		return nil
	})
	if err != nil || got != "1" {
		t.Errorf("thread's NoNewPrivs %q after SetNoNewPrivs (%v)", got, err)
	}
	if got := noNewPrivs(strconv.Itoa(os.Getpid())); got != "0" {
		t.Errorf("main thread's NoNewPrivs %q", got)
	}
}

// noNewPrivs reads the NoNewPrivs line of /proc/WHO/status.
func noNewPrivs(who string) string {
	b, err := os.ReadFile("/proc/" + who + "/status")
	if err != nil {
		return err.Error()
	}
	_, v, _ := strings.Cut(string(b), "NoNewPrivs:\t")
	v, _, _ = strings.Cut(v, "\n")
	return v
}
