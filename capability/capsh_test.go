package capability

import (
	"bufio"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// ownSets returns the test process's permitted and bounding sets, from
// /proc/self/status.
func ownSets(t *testing.T) (permitted, bounding Set) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		key, val, _ := strings.Cut(s.Text(), ":\t")
		switch key {
		case "CapPrm":
			permitted, err = ParseHex(val)
		case "CapBnd":
			bounding, err = ParseHex(val)
		}
		if err != nil {
			t.Fatalf("/proc/self/status %s: %v", key, err)
		}
	}
	return permitted, bounding
}

// capsh runs libcap's capsh --caps=text --print and returns the state it
// printed ("Current: ..."), or ok false with its output when libcap could
// not interpret or set text.
func capsh(t *testing.T, path, text string) (current string, out string, ok bool) {
	b, _ := exec.Command(path, "--caps="+text, "--print").CombinedOutput()
	out = string(b)
	line, _, _ := strings.Cut(out, "\n")
	current, ok = strings.CutPrefix(line, "Current: ")
	return current, out, ok
}

// TestStateMatchesLibcap compares ParseState and State.String with the
// real libcap: every text of the tables is accepted by capsh exactly when
// ParseState accepts it, and states the test process may hold are
// printed by libcap as String prints them.
func TestStateMatchesLibcap(t *testing.T) {
	path, err := exec.LookPath("capsh")
	if err != nil {
		t.Skip("capsh (libcap) is not installed")
	}
	var texts []string
	for _, c := range parseTexts {
		texts = append(texts, c.text)
	}
	for _, c := range stateTexts {
		texts = append(texts, c.text)
	}
	for _, text := range append(texts, badTexts...) {
		if strings.IndexByte(text, 0) >= 0 {
			continue // not an argument
		}
		_, perr := ParseState(text)
		_, out, _ := capsh(t, path, text)
		if interpreted := !strings.Contains(out, "unable to interpret"); interpreted != (perr == nil) {
			t.Errorf("text %q: libcap interprets it: %v; ParseState error: %v\n%s", text, interpreted, perr, out)
		}
	}

	permitted, bounding := ownSets(t)
	if cur, out, ok := capsh(t, path, "="); !ok || cur != "=" {
		t.Skipf("capsh cannot drop its capabilities here:\n%s", out)
	}
	// Any state with permitted and inheritable within the caller's
	// permitted and bounding sets, and effective within the new
	// permitted, is one capset(2) allows without privilege.
	allowed := permitted & bounding & named
	rng := rand.New(rand.NewPCG(7, uint64(allowed)))
	random := func() Set {
		var s Set
		density := []int{10, 50, 90}[rng.IntN(3)]
		for c := range Cap(numNamed) {
			if rng.IntN(100) < density {
				s.Add(c)
			}
		}
		return s & allowed
	}
	states := []State{{}, ep(allowed), {Permitted: allowed}, {Permitted: allowed, Inheritable: allowed}}
	for _, c := range stateTexts {
		if c.st.Permitted&^allowed == 0 && c.st.Inheritable&^allowed == 0 && c.st.Effective&^c.st.Permitted == 0 {
			states = append(states, c.st)
		}
	}
	for range 40 {
		p := random()
		states = append(states, State{Permitted: p, Effective: random() & p, Inheritable: random()})
	}
	for _, st := range states {
		text := st.String()
		cur, out, ok := capsh(t, path, text)
		if !ok {
			t.Errorf("capsh --caps=%q failed:\n%s", text, out)
			continue
		}
		if cur != text {
			t.Errorf("state %+v: libcap prints %q, String %q", st, cur, text)
		}
	}
}
