package capability

import (
	"bytes"
	"encoding/hex"
	"errors"
	"io/fs"
	"testing"
)

func TestParseFileCaps(t *testing.T) {
	for _, c := range []struct {
		hex  string
		fc   FileCaps
		text string
	}{
		// setcap cap_net_raw=ep: revision 2 with the effective flag.
		{"0100000200200000000000000000000000000000",
			FileCaps{Version: FileVersion2, Effective: true, Permitted: SetOf(NetRaw)}, "cap_net_raw=ep"},
		// setcap -n 1000 cap_kill,cap_net_raw=ei
		{"0100000300000000202000000000000000000000e8030000",
			FileCaps{Version: FileVersion3, Effective: true, Inheritable: SetOf(Kill, NetRaw), RootUID: 1000}, "cap_kill,cap_net_raw=ei [rootid=1000]"},
		// cap_bpf=p, above 31.
		{"0000000200000000000000008000000000000000",
			FileCaps{Version: FileVersion2, Permitted: SetOf(BPF)}, "cap_bpf=p"},
		// revision 1
		{"010000010100000002000000",
			FileCaps{Version: FileVersion1, Effective: true, Permitted: SetOf(Chown), Inheritable: SetOf(DACOverride)}, "cap_dac_override=ei cap_chown+ep"},
	} {
		b, _ := hex.DecodeString(c.hex)
		fc, err := ParseFileCaps(b)
		if err != nil || fc != c.fc {
			t.Errorf("ParseFileCaps(%s) = %+v, %v; want %+v", c.hex, fc, err, c.fc)
			continue
		}
		if fc.String() != c.text {
			t.Errorf("%+v.String() = %q, want %q", fc, fc.String(), c.text)
		}
		if out, err := fc.MarshalBinary(); err != nil || !bytes.Equal(out, b) {
			t.Errorf("MarshalBinary(%+v) = %x, %v; want %s", fc, out, err, c.hex)
		}
	}
	for _, bad := range []string{
		"", "010000", "0100000200200000", // short
		"01000002002000000000000000000000000000000000", // revision 2, 22 bytes
		"0100000300200000000000000000000000000000",     // revision 3, 20 bytes
		"0100000400200000000000000000000000000000",     // revision 4
		"0300000200200000000000000000000000000000",     // unknown flag
	} {
		b, _ := hex.DecodeString(bad)
		if _, err := ParseFileCaps(b); !errors.Is(err, fs.ErrInvalid) {
			t.Errorf("ParseFileCaps(%s) = %v, want fs.ErrInvalid", bad, err)
		}
	}
}

func TestFileCapsMarshal(t *testing.T) {
	// Version 0 picks 2, or 3 for a root uid.
	for _, c := range []struct {
		fc   FileCaps
		want FileVersion
	}{{FileCaps{}, FileVersion2}, {FileCaps{RootUID: 1}, FileVersion3}} {
		b, err := c.fc.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		if got, err := ParseFileCaps(b); err != nil || got.Version != c.want {
			t.Errorf("%+v written as %x: version %d, %v; want %d", c.fc, b, got.Version, err, c.want)
		}
	}
	for _, fc := range []FileCaps{
		{Version: FileVersion1, Permitted: SetOf(BPF)},
		{Version: FileVersion2, RootUID: 5},
		{Version: 4},
	} {
		if b, err := fc.MarshalBinary(); !errors.Is(err, fs.ErrInvalid) {
			t.Errorf("MarshalBinary(%+v) = %x, %v; want fs.ErrInvalid", fc, b, err)
		}
	}
	var fc FileCaps
	if err := fc.UnmarshalBinary([]byte{1, 2, 3}); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("UnmarshalBinary of 3 bytes: %v", err)
	}
}

func FuzzParseFileCaps(f *testing.F) {
	for _, h := range []string{"0100000200200000000000000000000000000000", "0100000300000000202000000000000000000000e8030000", "010000010100000002000000", ""} {
		b, _ := hex.DecodeString(h)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		fc, err := ParseFileCaps(b)
		if err != nil {
			return
		}
		out, err := fc.MarshalBinary()
		if err != nil || !bytes.Equal(out, b) {
			t.Fatalf("%x parsed as %+v, written back as %x, %v", b, fc, out, err)
		}
		_ = fc.String()
	})
}
