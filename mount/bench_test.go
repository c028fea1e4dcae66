package mount

import "testing"

var (
	sinkFlags Flags
	sinkProp  Propagation
)

// BenchmarkParseFlags parses the per-mount options of a mountinfo line,
// as procfs does for every mount.
func BenchmarkParseFlags(b *testing.B) {
	in := []byte("rw,nosuid,nodev,noexec,relatime")
	b.ReportAllocs()
	for b.Loop() {
		f, err := ParseFlags(in)
		if err != nil {
			b.Fatal(err)
		}
		sinkFlags = f
	}
}

func BenchmarkParsePropagation(b *testing.B) {
	in := []byte("shared:342 master:1")
	b.ReportAllocs()
	for b.Loop() {
		p, err := ParsePropagation(in)
		if err != nil {
			b.Fatal(err)
		}
		sinkProp = p
	}
}

func BenchmarkParsePropagationString(b *testing.B) {
	in := "shared:342 master:1"
	b.ReportAllocs()
	for b.Loop() {
		p, err := ParsePropagation(in)
		if err != nil {
			b.Fatal(err)
		}
		sinkProp = p
	}
}
