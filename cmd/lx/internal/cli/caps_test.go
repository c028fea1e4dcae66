package cli

import (
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/lxgo/lx/capability"
	"github.com/lxgo/lx/procfs"
)

// TestCapsDecodeCapsh compares lx caps decode with libcap's capsh
// --decode for every capability of the running kernel alone and for
// random masks.
func TestCapsDecodeCapsh(t *testing.T) {
	capsh, err := exec.LookPath("capsh")
	if err != nil {
		t.Skip("capsh (libcap2-bin) is not installed")
	}
	last, err := capability.Last()
	if err != nil {
		t.Fatal(err)
	}
	var masks []uint64
	for c := range uint(last) + 1 {
		masks = append(masks, 1<<c)
	}
	rng := rand.New(rand.NewPCG(10, 3))
	for range 50 {
		masks = append(masks, rng.Uint64()&(1<<(uint(last)+1)-1), rng.Uint64())
	}
	masks = append(masks, 0, 1<<64-1)
	for _, m := range masks {
		hex := capability.Set(m).Hex()
		want, err := exec.Command(capsh, "--decode="+hex).Output()
		if err != nil {
			t.Fatalf("capsh --decode=%s: %v", hex, err)
		}
		got, stderr, code := runLX(t, "caps", "decode", hex)
		if code != ExitOK || stderr != "" {
			t.Fatalf("lx caps decode %s: exit %d, %s", hex, code, stderr)
		}
		if got != string(want) {
			t.Errorf("lx caps decode %s = %q, capsh --decode %q", hex, got, want)
		}
	}
}

func TestCapsDecode(t *testing.T) {
	for _, tc := range []struct {
		arg, out string
	}{
		{"3000", "0x0000000000003000=cap_net_admin,cap_net_raw\n"},
		{"0x0", "0x0000000000000000=\n"},
		{"0X30000000000", "0x0000030000000000=cap_checkpoint_restore,41\n"},
	} {
		out, stderr, code := runLX(t, "caps", "decode", tc.arg)
		if code != ExitOK || out != tc.out {
			t.Errorf("lx caps decode %s = %q, exit %d, %s; want %q", tc.arg, out, code, stderr, tc.out)
		}
	}
	out, _, code := runLX(t, "caps", "decode", "--json", "2001")
	var r capsDecodeReport
	if err := decodeOne(out, &r); err != nil || code != ExitOK {
		t.Fatalf("--json: exit %d, %v:\n%s", code, err, out)
	}
	if r.Mask != "0x0000000000002001" || len(r.Caps) != 2 || r.Caps[0] != capability.Chown || r.Caps[1] != capability.NetRaw {
		t.Errorf("--json = %+v", r)
	}
	for _, args := range [][]string{{"caps", "decode"}, {"caps", "decode", "1", "2"}, {"caps", "decode", "xyz"}, {"caps", "decode", "12345678901234567"}, {"caps", "decode", "0x"}} {
		if _, stderr, code := runLX(t, args...); code != ExitUsage || !strings.Contains(stderr, "usage: lx caps decode") {
			t.Errorf("lx %v: exit %d, stderr %q; want a usage error", args, code, stderr)
		}
	}
}

func TestCapsSelf(t *testing.T) {
	out, stderr, code := runLX(t, "caps", "--json")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var r capsReport
	if err := decodeOne(out, &r); err != nil {
		t.Fatal(err)
	}
	want, err := capability.Current()
	if err != nil {
		t.Fatal(err)
	}
	bits, err := capability.CurrentSecurebits()
	if err != nil {
		t.Fatal(err)
	}
	if r.PID != os.Getpid() || r.Sets != want || r.Securebits == nil || *r.Securebits != bits {
		t.Errorf("lx caps --json = %+v, want pid %d, %+v, securebits %v", r, os.Getpid(), want, bits)
	}
	out, _, code = runLX(t, "caps")
	for _, row := range []string{"effective", "permitted", "inheritable", "bounding", "ambient", "state", "securebits"} {
		if !strings.Contains(out, "\n"+row+" ") || code != ExitOK {
			t.Errorf("lx caps lacks %s (exit %d):\n%s", row, code, out)
		}
	}
}

// TestCapsPID reads a child this test starts, which shares the test's
// credentials.
func TestCapsPID(t *testing.T) {
	cmd := exec.Command("sleep", "60")
	if err := cmd.Start(); err != nil {
		t.Skipf("no sleep to start: %v", err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	pid := cmd.Process.Pid
	p, err := procfs.Default().Proc(pid)
	if err != nil {
		t.Fatal(err)
	}
	st, err := p.Status()
	if err != nil {
		t.Fatal(err)
	}
	out, stderr, code := runLX(t, "caps", "--json", formatCount(pid))
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var r capsReport
	if err := decodeOne(out, &r); err != nil {
		t.Fatal(err)
	}
	want := capability.Sets{Effective: st.CapEff, Permitted: st.CapPrm, Inheritable: st.CapInh, Bounding: st.CapBnd, Ambient: st.CapAmb}
	if r.PID != pid || r.Sets != want || r.Securebits != nil {
		t.Errorf("lx caps --json %d = %+v, want %+v and no securebits", pid, r, want)
	}
	out, _, _ = runLX(t, "caps", formatCount(pid))
	if strings.Contains(out, "securebits") || !strings.Contains(out, "state  ") {
		t.Errorf("lx caps %d:\n%s", pid, out)
	}

	cmd.Process.Kill()
	cmd.Wait()
	if _, stderr, code := runLX(t, "caps", formatCount(pid)); code != ExitError || !strings.Contains(stderr, "no such process") {
		t.Errorf("lx caps of an exited process: exit %d, %q", code, stderr)
	}
	for _, args := range [][]string{{"caps", "0"}, {"caps", "abc"}, {"caps", "1", "2"}} {
		if _, _, code := runLX(t, args...); code != ExitUsage {
			t.Errorf("lx %v: exit %d, want %d", args, code, ExitUsage)
		}
	}
}
