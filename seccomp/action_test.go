package seccomp

import (
	"encoding/json"
	"errors"
	"io/fs"
	"strings"
	"syscall"
	"testing"
)

func TestAction(t *testing.T) {
	eperm, err := RetErrno(syscall.EPERM)
	if err != nil {
		t.Fatal(err)
	}
	max, err := RetErrno(4095)
	if err != nil {
		t.Fatal(err)
	}
	for a, want := range map[Action]string{
		RetKillProcess: "kill-process", RetKillThread: "kill-thread", RetTrap: "trap",
		eperm: "errno(1)", max: "errno(4095)", retErrno: "errno(0)", RetUserNotif: "user-notify",
		RetTrace(7): "trace(7)", RetTrace(65535): "trace(65535)", RetLog: "log", RetAllow: "allow",
		0x00051000: "0x00051000", 0x7fff0001: "0x7fff0001", 0x00010000: "0x00010000", 0x00030001: "0x00030001",
	} {
		if got := a.String(); got != want {
			t.Errorf("Action(%#x).String() = %q, want %q", uint32(a), got, want)
		}
		if back, err := ParseAction(want); err != nil || back != a {
			t.Errorf("ParseAction(%q) = %v, %v", want, back, err)
		}
		if a.Valid() == strings.HasPrefix(want, "0x") {
			t.Errorf("%v.Valid() = %v", a, a.Valid())
		}
	}
	if uint32(eperm) != 0x00050001 || eperm.Kind() != retErrno || eperm.Data() != 1 {
		t.Errorf("RetErrno(EPERM) = %#x", uint32(eperm))
	}
	if a, err := RetErrno(4096); !errors.Is(err, fs.ErrInvalid) || !strings.Contains(err.Error(), "4096") {
		t.Errorf("RetErrno(4096) = %v, %v", a, err)
	}
	for _, bad := range []string{"", "Allow", "allow()", "errno", "errno()", "errno(4096)", "errno(01)", "errno(+1)", "errno(-1)", "errno(1", "trace(65536)",
		"trap(1)", "kill", "0x7fff0000", "0x0005000", "0X00051000", "0x00051000 ", "errno(1)\n", "0x0005100g"} {
		if a, err := ParseAction(bad); !errors.Is(err, fs.ErrInvalid) || !strings.Contains(err.Error(), strings.ReplaceAll(bad, "\n", `\n`)) {
			t.Errorf("ParseAction(%q) = %v, %v; want an error naming it", bad, a, err)
		}
	}
	b, err := json.Marshal(map[string]Action{"a": eperm})
	if err != nil || string(b) != `{"a":"errno(1)"}` {
		t.Fatalf("Marshal = %s, %v", b, err)
	}
	var back map[string]Action
	if err := json.Unmarshal(b, &back); err != nil || back["a"] != eperm {
		t.Errorf("Unmarshal = %v, %v", back, err)
	}
}

func FuzzParseAction(f *testing.F) {
	for _, s := range []string{"allow", "errno(1)", "trace(65535)", "0x00051000", "kill-process", "errno(4096)", "user-notify", "errno(01)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		a, err := ParseAction(in)
		if err != nil {
			if a != 0 {
				t.Fatalf("ParseAction(%q) = %v with error %v", in, a, err)
			}
			return
		}
		if a.String() != in {
			t.Fatalf("ParseAction(%q) = %v, which prints as %q", in, uint32(a), a.String())
		}
		if back, err := ParseAction(a.String()); err != nil || back != a {
			t.Fatalf("ParseAction(%q) = %v; ParseAction(%q) = %v, %v", in, a, a.String(), back, err)
		}
	})
}
