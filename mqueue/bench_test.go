package mqueue

import (
	"context"
	"testing"
)

// BenchmarkSendReceive: a Send and a Receive of 32 bytes on one
// goroutine, neither waiting: the cost of the two calls and their
// allocations.
func BenchmarkSendReceive(b *testing.B) {
	q := newQueue(b, &CreateOptions{MaxMessages: 4, MessageSize: 64})
	msg := make([]byte, 32)
	buf := make([]byte, 64)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := q.Send(ctx, msg, 1); err != nil {
			b.Fatal(err)
		}
		if _, _, err := q.Receive(ctx, buf); err != nil {
			b.Fatal(err)
		}
	}
}
