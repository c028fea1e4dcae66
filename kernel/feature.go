package kernel

import (
	"errors"
	"fmt"
)

// FeatureError reports that the running kernel lacks an interface. It
// matches errors.ErrUnsupported with errors.Is, and unwraps to the errno the
// kernel returned (ENOSYS, EINVAL, EOPNOTSUPP, ENOTTY, ...).
type FeatureError struct {
	Feature   string  // what is missing, e.g. "PIDFD_GET_INFO"
	MinKernel Version // first mainline kernel that has it
	Err       error   // what the kernel said, may be nil
}

func (e *FeatureError) Error() string {
	s := e.Feature + " is not supported by this kernel"
	if !e.MinKernel.IsZero() {
		s = fmt.Sprintf("%s (needs Linux %s or newer)", s, e.MinKernel)
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the underlying kernel error.
func (e *FeatureError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, errors.ErrUnsupported) true.
func (e *FeatureError) Is(target error) bool { return target == errors.ErrUnsupported }
