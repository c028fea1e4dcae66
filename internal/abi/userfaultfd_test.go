package abi_test

import (
	"testing"

	"github.com/lxgo/lx/internal/abi"
)

func TestUserfaultfdConstants(t *testing.T) {
	const h = "linux/userfaultfd.h"
	checkConstants(t,
		constant{Header: h, C: "UFFD_USER_MODE_ONLY", Go: abi.UFFD_USER_MODE_ONLY},
		constant{Header: h, C: "USERFAULTFD_IOC_NEW", Go: abi.USERFAULTFD_IOC_NEW},
	)
}
