package sys

// CloexecFromProc is CloexecFrom's fallback, for the external tests.
var CloexecFromProc = cloexecFromProc

// The userfaultfd ioctl requests, for TestIoctlEncodingMatchesC.
var (
	UffdioAPI          = uffdioAPI
	UffdioRegister     = uffdioRegister
	UffdioUnregister   = uffdioUnregister
	UffdioWake         = uffdioWake
	UffdioCopy         = uffdioCopy
	UffdioZeropage     = uffdioZeropage
	UffdioMove         = uffdioMove
	UffdioWriteprotect = uffdioWriteprotect
	UffdioContinue     = uffdioContinue
	UffdioPoison       = uffdioPoison
)
