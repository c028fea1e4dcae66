package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// watchRun runs lx watch with args until it exits, creating the files
// name0, name1, ... in dir meanwhile (the first ones may come before the
// watch is in place).
func watchRun(t *testing.T, dir, name string, args ...string) (string, string, int) {
	t.Helper()
	type result struct {
		out, errOut string
		code        int
	}
	done := make(chan result, 1)
	go func() {
		var out, errOut bytes.Buffer
		code := dispatch(context.Background(), append([]string{"watch"}, args...), &Env{Stdout: &out, Stderr: &errOut})
		done <- result{out.String(), errOut.String(), code}
	}()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	timeout := time.After(time.Minute)
	for i := 0; ; i++ {
		select {
		case r := <-done:
			return r.out, r.errOut, r.code
		case <-tick.C:
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprint(name, i)), nil, 0o600); err != nil {
				t.Fatal(err)
			}
		case <-timeout:
			t.Fatal("lx watch did not exit")
		}
	}
}

func TestWatch(t *testing.T) {
	dir := t.TempDir()
	name := "a\tb\n"
	out, errOut, code := watchRun(t, dir, name, "--events", "IN_CREATE", "--count", "2", dir)
	if code != ExitOK || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("output %q: want 2 lines", out)
	}
	for _, l := range lines {
		f := strings.Split(l, "\t")
		if len(f) != 3 || f[0] != dir || f[1] != "IN_CREATE" || !strings.HasPrefix(f[2], `a\tb\n`) {
			t.Errorf("line %q", l)
		}
	}
}

func TestWatchJSON(t *testing.T) {
	dir := t.TempDir()
	out, errOut, code := watchRun(t, dir, "f\xff", "--json", "--count", "1", "--events", "IN_CREATE|IN_ONLYDIR", dir)
	if code != ExitOK || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	var ev struct {
		Watch  int
		Path   string
		Name   struct{ Base64 string }
		Mask   string
		Cookie uint32
	}
	if err := json.Unmarshal([]byte(out), &ev); err != nil {
		t.Fatalf("%v in %s", err, out)
	}
	if ev.Path != dir || ev.Mask != "IN_CREATE" || ev.Name.Base64 == "" || ev.Watch < 1 {
		t.Errorf("event %+v from %s", ev, out)
	}
}

func TestWatchUsage(t *testing.T) {
	for _, args := range [][]string{
		{"watch"},
		{"watch", "--events", "IN_NOPE", "/"},
		{"watch", "--count", "-1", "/"},
	} {
		if _, _, code := runLX(t, args...); code != ExitUsage {
			t.Errorf("lx %q: exit %d, want %d", args, code, ExitUsage)
		}
	}
	if _, errOut, code := runLX(t, "watch", "--count", "1", filepath.Join(t.TempDir(), "missing")); code != ExitError || !strings.Contains(errOut, "no such file") {
		t.Errorf("missing path: exit %d, %q", code, errOut)
	}
}
