package signal

import "testing"

var (
	sinkSet  Set
	sinkBool bool
	sinkStr  string
	sinkSig  Signal
	sinkBuf  []byte
)

// BenchmarkParseHex parses a SigCgt value as procfs does for every
// process.
func BenchmarkParseHex(b *testing.B) {
	in := []byte("0000000180014a07")
	b.ReportAllocs()
	for b.Loop() {
		s, err := ParseHex(in)
		if err != nil {
			b.Fatal(err)
		}
		sinkSet = s
	}
}

func BenchmarkSetHas(b *testing.B) {
	s := Set(0x180014a07)
	b.ReportAllocs()
	for b.Loop() {
		sinkBool = s.Has(Term) || s.Has(Chld)
	}
}

func BenchmarkString(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		sinkStr = Term.String()
	}
}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		s, err := Parse("sigrtmax-2")
		if err != nil {
			b.Fatal(err)
		}
		sinkSig = s
	}
}

func BenchmarkSetAppendText(b *testing.B) {
	s := Set(0x180014a07)
	b.ReportAllocs()
	for b.Loop() {
		sinkBuf, _ = s.AppendText(sinkBuf[:0])
	}
}
