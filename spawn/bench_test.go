package spawn_test

import (
	"context"
	"os"
	"testing"

	"github.com/lxgo/lx/ns"
	"github.com/lxgo/lx/spawn"
)

// BenchmarkStart starts /bin/true and reaps it: from a pool thread
// (plain), from a thread thrown away afterwards (no_new_privs, a private
// fd table), and into a new user namespace (a full fork: no vfork).
// Comparisons with os/exec and unshare(1) are in bench/.
func BenchmarkStart(b *testing.B) {
	for name, c := range map[string]*spawn.Command{
		"plain":         {},
		"no_new_privs":  {NoNewPrivs: true},
		"closeotherfds": {CloseOtherFDs: true},
		"userns": {
			NewNamespaces: ns.CloneNewUser,
			UIDMap:        ns.IDMap{{Inside: 0, Outside: uint32(os.Geteuid()), Count: 1}},
		},
	} {
		c.Path = "/bin/true"
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				p, err := c.Start()
				if err != nil {
					b.Fatal(err)
				}
				if _, err := p.Wait(context.Background()); err != nil {
					b.Fatal(err)
				}
				p.Close()
			}
		})
	}
}
