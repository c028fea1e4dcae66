package parse

// AppendUint32s appends to dst the unsigned decimal numbers of b, which
// are separated by spaces or tabs (the Groups line of /proc/PID/status:
// "4 24 27 1000"). Each must fit a uint32 (uid_t, gid_t). On a bad number
// it returns dst with the numbers before it and a *strconv.NumError
// (ErrSyntax or ErrRange). It allocates only if dst lacks capacity. T is
// any 32-bit id type (cred.GID for Groups).
func AppendUint32s[T ~uint32](dst []T, b []byte) ([]T, error) {
	for {
		var f []byte
		f, b = Field(b)
		if len(f) == 0 {
			return dst, nil
		}
		n, err := Uint(f)
		if err != nil {
			return dst, rename(err, "parse.AppendUint32s")
		}
		if n > 1<<32-1 {
			return dst, rangeError("parse.AppendUint32s", f)
		}
		dst = append(dst, T(n))
	}
}

// AppendInts appends to dst the signed decimal numbers of b, separated by
// spaces or tabs (the NSpid line of /proc/PID/status or of a pidfd's
// fdinfo: "1234\t1"). Each must fit an int. On a bad number it returns
// dst with the numbers before it and a *strconv.NumError. It allocates
// only if dst lacks capacity.
func AppendInts(dst []int, b []byte) ([]int, error) {
	for {
		var f []byte
		f, b = Field(b)
		if len(f) == 0 {
			return dst, nil
		}
		n, err := Int(f)
		if err != nil {
			return dst, rename(err, "parse.AppendInts")
		}
		if int64(int(n)) != n {
			return dst, rangeError("parse.AppendInts", f)
		}
		dst = append(dst, int(n))
	}
}
