// Package hang is a fixture of internal/vmtest's timeout self-test: booted
// only by TestHungGuest. Its test never returns, so the guest never powers
// off and the host must kill it at its timeout.
package hang

import (
	"fmt"
	"testing"
	"time"
)

func TestHang(t *testing.T) {
	fmt.Println("lxvmtest fixture: hanging now")
	time.Sleep(1 << 62)
}
