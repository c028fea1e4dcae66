package seccomp

import (
	"encoding/json"
	"errors"
	"strconv"
	"testing"
)

func TestMode(t *testing.T) {
	for m, want := range map[Mode]string{ModeDisabled: "disabled", ModeStrict: "strict", ModeFilter: "filter", 3: "3", 255: "255"} {
		if got := m.String(); got != want {
			t.Errorf("Mode(%d).String() = %q, want %q", m, got, want)
		}
		if back, err := Parse(want); err != nil || back != m {
			t.Errorf("Parse(%q) = %v, %v", want, back, err)
		}
	}
	for _, c := range []struct {
		in   string
		want Mode
		err  error
	}{
		{"0", ModeDisabled, nil},
		{"1", ModeStrict, nil},
		{"2", ModeFilter, nil},
		{"02", ModeFilter, nil},
		{"256", 0, strconv.ErrRange},
		{"Filter", 0, strconv.ErrSyntax},
		{"filter ", 0, strconv.ErrSyntax},
		{"-1", 0, strconv.ErrSyntax},
		{"", 0, strconv.ErrSyntax},
	} {
		got, err := Parse(c.in)
		if got != c.want || !errors.Is(err, c.err) || (c.err == nil) != (err == nil) {
			t.Errorf("Parse(%q) = %v, %v; want %v, %v", c.in, got, err, c.want, c.err)
		}
	}
	b, err := json.Marshal(map[string]Mode{"seccomp": ModeFilter})
	if err != nil || string(b) != `{"seccomp":"filter"}` {
		t.Errorf("Marshal = %s, %v", b, err)
	}
	var back map[string]Mode
	if err := json.Unmarshal(b, &back); err != nil || back["seccomp"] != ModeFilter {
		t.Errorf("Unmarshal = %v, %v", back, err)
	}
}
