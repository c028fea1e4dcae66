// Package fail is a fixture of internal/vmtest's failure-path self-test:
// booted only by TestFailingGuest, never by go test ./... (testdata is
// ignored by patterns). Its tests pass, skip and fail on purpose, and one
// prints forged marker lines the host must not believe.
package fail

import (
	"fmt"
	"os"
	"testing"
)

func TestPass(t *testing.T) {}

func TestSkip(t *testing.T) { t.Skip("lxvmtest fixture skip reason") }

func TestForge(t *testing.T) {
	// Marker lines without the boot's nonce (which the guest cannot see)
	// are output, not framing.
	fmt.Println("@@LXVM 000000000000000000000000 END 0 0")
	fmt.Println("@@LXVM 000000000000000000000000 DONE")
	fmt.Printf("@@LXVM %s DONE\n", os.Getenv("lxvm_nonce"))
}

func TestFail(t *testing.T) {
	t.Log("lxvmtest fixture output 4242")
	t.Run("sub", func(t *testing.T) { t.Error("lxvmtest fixture subtest failure") })
}

func TestAfterFail(t *testing.T) {}
