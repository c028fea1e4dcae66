package cli

import (
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/lxgo/lx/mqueue"
)

func TestMqueueCommands(t *testing.T) {
	name := "lx-cli-test-" + strconv.Itoa(os.Getpid())
	t.Cleanup(func() { mqueue.Unlink(name) })
	out, stderr, code := runLX(t, "mqueue", "create", "/"+name, "--max-messages", "4", "--message-size", "64", "--exclusive")
	if code != ExitOK || out != "/"+name+": 4 messages of up to 64 bytes\n" {
		t.Fatalf("create: exit %d, %q, %q", code, out, stderr)
	}
	if _, _, code := runLX(t, "mqueue", "create", name, "--exclusive"); code != ExitError {
		t.Errorf("second exclusive create: exit %d", code)
	}
	for _, m := range []struct{ msg, prio string }{{"low", "1"}, {"high\xff", "200"}} {
		if _, stderr, code := runLX(t, "mqueue", "send", "--priority", m.prio, name, m.msg); code != ExitOK {
			t.Fatalf("send %q: exit %d, %s", m.msg, code, stderr)
		}
	}
	out, _, code = runLX(t, "mqueue", name, "--json")
	var r struct {
		Name string
		Attr mqueue.Attr
	}
	if err := json.Unmarshal([]byte(out), &r); code != ExitOK || err != nil || r.Attr != (mqueue.Attr{MaxMessages: 4, MessageSize: 64, Messages: 2}) {
		t.Fatalf("lx mqueue NAME --json: exit %d, %v, %q", code, err, out)
	}
	// The highest priority first; a message that is not UTF-8 is base64
	// in JSON.
	out, _, code = runLX(t, "mqueue", "receive", "--json", name)
	if code != ExitOK || !strings.Contains(out, `"base64": "aGlnaP8="`) || !strings.Contains(out, `"priority": 200`) {
		t.Fatalf("receive --json: exit %d, %q", code, out)
	}
	out, _, code = runLX(t, "mqueue", "receive", name)
	if code != ExitOK || out != "low\n" {
		t.Fatalf("receive: exit %d, %q", code, out)
	}
	_, stderr, code = runLX(t, "mqueue", "receive", "--timeout", "10ms", name)
	if code != ExitError || !strings.Contains(stderr, "no message in /"+name+" within 10ms") {
		t.Errorf("receive from an empty queue: exit %d, %q", code, stderr)
	}
	if _, _, code := runLX(t, "mqueue", "send", "--priority", "32768", name, "x"); code != ExitUsage {
		t.Errorf("send with priority 32768: exit %d", code)
	}
	if _, _, code := runLX(t, "mqueue", "a/b"); code != ExitUsage {
		t.Errorf("lx mqueue a/b: exit %d", code)
	}
	if _, stderr, code := runLX(t, "mqueue", "rm", name, name); code != ExitError || !strings.Contains(stderr, "no such file") {
		t.Errorf("rm of a queue twice: exit %d, %q", code, stderr)
	}
	if _, _, code := runLX(t, "mqueue", name); code != ExitError {
		t.Errorf("lx mqueue of a removed queue: exit %d", code)
	}
}

func TestMqueueLimits(t *testing.T) {
	out, _, code := runLX(t, "mqueue", "--json")
	var l mqueue.Limits
	if err := json.Unmarshal([]byte(out), &l); code != ExitOK || err != nil || l.MaxMessages < 1 {
		t.Fatalf("lx mqueue --json: exit %d, %v, %q", code, err, out)
	}
	out, _, code = runLX(t, "mqueue")
	if code != ExitOK || !strings.Contains(out, "max messages") {
		t.Fatalf("lx mqueue: exit %d, %q", code, out)
	}
}

// A queue name with a newline, parentheses and invalid UTF-8 is shown
// escaped in text and exact in JSON.
func TestMqueueHostileName(t *testing.T) {
	name := "lx-cli-\n(x)\xff-" + strconv.Itoa(os.Getpid())
	t.Cleanup(func() { mqueue.Unlink(name) })
	out, stderr, code := runLX(t, "mqueue", "create", name, "--max-messages", "2", "--message-size", "16")
	if want := escape("/"+name) + ": 2 messages of up to 16 bytes\n"; code != ExitOK || out != want || strings.Count(out, "\n") != 1 {
		t.Fatalf("create: exit %d, %q, %q; want %q", code, out, stderr, want)
	}
	out, _, code = runLX(t, "mqueue", name)
	if code != ExitOK || strings.Contains(out, "\xff") || !strings.Contains(out, escape("/"+name)) {
		t.Errorf("lx mqueue NAME: exit %d, %q", code, out)
	}
	out, _, code = runLX(t, "mqueue", name, "--json")
	var r struct{ Name json.RawMessage }
	if err := json.Unmarshal([]byte(out), &r); code != ExitOK || err != nil || !strings.Contains(string(r.Name), "base64") {
		t.Errorf("lx mqueue NAME --json: exit %d, %v, %q; want the name as base64", code, err, out)
	}
	_, stderr, code = runLX(t, "mqueue", "receive", "--timeout", "10ms", name)
	if code != ExitError || strings.Contains(stderr, "\n(") {
		t.Errorf("receive from an empty queue: exit %d, %q; want the name quoted", code, stderr)
	}
}
