package abi_test

import (
	"testing"

	"github.com/lxgo/lx/internal/abi"
)

func TestSiginfoConstants(t *testing.T) {
	const h = "asm/siginfo.h"
	checkConstants(t,
		constant{Header: h, C: "CLD_EXITED", Go: abi.CLD_EXITED},
		constant{Header: h, C: "CLD_KILLED", Go: abi.CLD_KILLED},
		constant{Header: h, C: "CLD_DUMPED", Go: abi.CLD_DUMPED},
		constant{Header: h, C: "CLD_TRAPPED", Go: abi.CLD_TRAPPED},
		constant{Header: h, C: "CLD_STOPPED", Go: abi.CLD_STOPPED},
	)
}
