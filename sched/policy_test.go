package sched

import (
	"encoding/json"
	"errors"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

func TestString(t *testing.T) {
	for p, want := range map[Policy]string{
		Other: "SCHED_OTHER", FIFO: "SCHED_FIFO", RR: "SCHED_RR", Batch: "SCHED_BATCH",
		Iso: "SCHED_ISO", Idle: "SCHED_IDLE", Deadline: "SCHED_DEADLINE", Ext: "SCHED_EXT",
		8: "8", 1 << 31: "2147483648",
		FIFO | ResetOnFork:  "SCHED_FIFO|SCHED_RESET_ON_FORK",
		Other | ResetOnFork: "SCHED_OTHER|SCHED_RESET_ON_FORK",
		9 | ResetOnFork:     "9|SCHED_RESET_ON_FORK",
	} {
		if got := p.String(); got != want {
			t.Errorf("Policy(%#x).String() = %q, want %q", uint32(p), got, want)
		}
		if back, err := Parse(want); err != nil || back != p {
			t.Errorf("Parse(%q) = %v, %v; want %#x", want, back, err, uint32(p))
		}
	}
	if p := RR | ResetOnFork; p.Base() != RR || !p.ResetsOnFork() || RR.ResetsOnFork() {
		t.Errorf("Base/ResetsOnFork of %v wrong", p)
	}
}

func TestParse(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Policy
		err  error
	}{
		{"SCHED_FIFO", FIFO, nil},
		{"sched_fifo", FIFO, nil},
		{"fifo", FIFO, nil},
		{"RR", RR, nil},
		{"SCHED_NORMAL", Other, nil},
		{"normal", Other, nil},
		{"other", Other, nil},
		{"deadline", Deadline, nil},
		{"ext", Ext, nil},
		{"iso", Iso, nil},
		{"6", Deadline, nil},
		{"1073741825", FIFO | ResetOnFork, nil},
		{"4294967295", 1<<32 - 1, nil},
		{"rr|reset_on_fork", RR | ResetOnFork, nil},
		{"4294967296", 0, strconv.ErrRange},
		{"SCHED_", 0, strconv.ErrSyntax},
		{"SCHED_SCHED_FIFO", 0, strconv.ErrSyntax},
		{"fifo|", 0, strconv.ErrSyntax},
		{"fifo|rr", 0, strconv.ErrSyntax},
		{"|SCHED_RESET_ON_FORK", 0, strconv.ErrSyntax},
		{"fifo|SCHED_RESET_ON_FOR\u212a", 0, strconv.ErrSyntax}, // Kelvin sign
		{"-1", 0, strconv.ErrSyntax},
		{"fifo ", 0, strconv.ErrSyntax},
		{"", 0, strconv.ErrSyntax},
	} {
		got, err := Parse(c.in)
		if got != c.want || !errors.Is(err, c.err) || (c.err == nil) != (err == nil) {
			t.Errorf("Parse(%q) = %v, %v; want %v, %v", c.in, got, err, c.want, c.err)
		}
	}
}

func TestJSON(t *testing.T) {
	b, err := json.Marshal([]Policy{Batch, FIFO | ResetOnFork})
	if want := `["SCHED_BATCH","SCHED_FIFO|SCHED_RESET_ON_FORK"]`; err != nil || string(b) != want {
		t.Fatalf("Marshal = %s, %v; want %s", b, err, want)
	}
	var back []Policy
	if err := json.Unmarshal(b, &back); err != nil || len(back) != 2 || back[1] != FIFO|ResetOnFork {
		t.Errorf("Unmarshal = %v, %v", back, err)
	}
}

// TestMatchesChrt runs util-linux chrt(1) under each policy an
// unprivileged process may take, with and without reset-on-fork, and
// checks that lx names the policy chrt reports as chrt does.
func TestMatchesChrt(t *testing.T) {
	path, err := exec.LookPath("chrt")
	if err != nil {
		t.Skip("chrt (util-linux) is not installed")
	}
	for _, p := range []Policy{Other, Batch, Idle, Other | ResetOnFork, Batch | ResetOnFork, Idle | ResetOnFork} {
		args := []string{"--" + strings.ToLower(strings.TrimPrefix(p.Base().String(), "SCHED_"))}
		if p.ResetsOnFork() {
			args = append(args, "--reset-on-fork")
		}
		args = append(args, "0", path, "--pid", "0")
		out, err := exec.Command(path, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("chrt %v: %v\n%s", args, err, out)
		}
		_, rest, ok := strings.Cut(string(out), "scheduling policy: ")
		got, _, _ := strings.Cut(rest, "\n")
		if !ok || got != p.String() {
			t.Errorf("chrt %v reports %q, String %q", args, got, p.String())
		}
		if back, err := Parse(got); err != nil || back != p {
			t.Errorf("Parse(%q) = %v, %v; want %v", got, back, err, p)
		}
	}
}
