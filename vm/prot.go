package vm

import (
	"github.com/lxgo/lx/internal/flagtext"
	"github.com/lxgo/lx/internal/sys"
)

// Prot is the access a mapping allows, the PROT_* bits of mmap(2) and
// mprotect(2). The zero value in MapOptions means ProtRead|ProtWrite; a
// mapping no one may touch (a guard region) asks for ProtNone.
type Prot uint8

const (
	ProtRead  Prot = 1 << 0 // PROT_READ
	ProtWrite Prot = 1 << 1 // PROT_WRITE
	ProtExec  Prot = 1 << 2 // PROT_EXEC
	// ProtNone is PROT_NONE, no access. It is a bit of its own so that
	// MapOptions can tell it from the zero value; combined with other
	// bits it is ignored.
	ProtNone Prot = 1 << 7
)

var protText = flagtext.Format[Prot]{
	Flags: []flagtext.Flag[Prot]{
		{Bits: ProtRead, Name: "PROT_READ"}, {Bits: ProtWrite, Name: "PROT_WRITE"},
		{Bits: ProtExec, Name: "PROT_EXEC"}, {Bits: ProtNone, Name: "PROT_NONE"},
	},
	Sep: '|', None: "0",
}

// String returns the names of the bits, "PROT_READ|PROT_WRITE".
func (p Prot) String() string { return protText.String(p) }

// MarshalText returns String's text.
func (p Prot) MarshalText() ([]byte, error) { return protText.Append(nil, p), nil }

// UnmarshalText reads String's text back.
func (p *Prot) UnmarshalText(b []byte) error { return protText.Unmarshal(p, b, "protection") }

// ParseProt parses String's text.
func ParseProt(s string) (Prot, error) { return protText.Parse(s) }

// sys returns the PROT_* word, with def for the zero value.
func (p Prot) sys(def Prot) (int, error) {
	if p == 0 {
		p = def
	}
	if p&^(ProtRead|ProtWrite|ProtExec|ProtNone) != 0 {
		return 0, invalidf("protection %s", p)
	}
	v := 0
	if p&ProtRead != 0 {
		v |= sys.PROT_READ
	}
	if p&ProtWrite != 0 {
		v |= sys.PROT_WRITE
	}
	if p&ProtExec != 0 {
		v |= sys.PROT_EXEC
	}
	return v, nil
}
