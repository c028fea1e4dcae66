package capability

import "testing"

var (
	sinkSet  Set
	sinkBool bool
	sinkStr  string
	sinkBuf  []byte
)

// BenchmarkParseHex parses a CapEff value as procfs does for every
// process.
func BenchmarkParseHex(b *testing.B) {
	in := []byte("000001ffffffffff")
	b.ReportAllocs()
	for b.Loop() {
		s, err := ParseHex(in)
		if err != nil {
			b.Fatal(err)
		}
		sinkSet = s
	}
}

func BenchmarkParseHexString(b *testing.B) {
	in := "00000000a80425fb"
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
	s := Set(0xa80425fb)
	b.ReportAllocs()
	for b.Loop() {
		sinkBool = s.Has(SysAdmin) || s.Has(NetRaw)
	}
}

func BenchmarkCapString(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		sinkStr = SysAdmin.String()
	}
}

// BenchmarkSetAppendText lists a full set into a reused buffer, as a
// table printer would.
func BenchmarkSetAppendText(b *testing.B) {
	s := Set(1<<41 - 1)
	b.ReportAllocs()
	for b.Loop() {
		sinkBuf, _ = s.AppendText(sinkBuf[:0])
	}
}

func BenchmarkStateString(b *testing.B) {
	st := State{Effective: named &^ SetOf(SysResource), Permitted: named &^ SetOf(SysResource)}
	b.ReportAllocs()
	for b.Loop() {
		sinkBuf, _ = st.AppendText(sinkBuf[:0])
	}
}
