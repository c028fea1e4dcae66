package epoll

import (
	"context"
	"testing"
)

// BenchmarkWaitReady: Wait on an instance whose one registration is
// ready (level-triggered), so each call collects an event without
// parking: the cost of the call itself and its allocations.
func BenchmarkWaitReady(b *testing.B) {
	ep := newInstance(b)
	r, w := pipe(b)
	w.Write([]byte("x"))
	if err := ep.Add(r, In, 1); err != nil {
		b.Fatal(err)
	}
	evs := make([]Event, 8)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if n, err := ep.Wait(ctx, evs); n != 1 || err != nil {
			b.Fatal(n, err)
		}
	}
}
