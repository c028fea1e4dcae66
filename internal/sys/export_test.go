package sys

// CloexecFromProc is CloexecFrom's fallback, for the external tests.
var CloexecFromProc = cloexecFromProc
