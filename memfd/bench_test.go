package memfd

import "testing"

// BenchmarkCreateSeal is the cost of a sealed memory file: create, size,
// seal against every change, close.
func BenchmarkCreateSeal(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		m, err := New("bench", &Options{AllowSealing: true})
		if err != nil {
			b.Fatal(err)
		}
		if err := m.Truncate(4096); err != nil {
			b.Fatal(err)
		}
		if err := m.AddSeals(SealSeal | SealShrink | SealGrow | SealWrite); err != nil {
			b.Fatal(err)
		}
		m.Close()
	}
}
