package vault

import (
	"errors"
	"io"
	"io/fs"
	"os"
)

// scratch is the memory one read of the vault file goes through: the file,
// its ciphertext, then its plaintext, which free wipes. All of it is read
// into Accounts and dropped within the call. On Linux it is one anonymous
// mapping that asks for transparent huge pages: a fresh process pays for
// every page it touches (~10 µs each on virtual machines that shadow page
// tables), and the 600 KB a 1,000-account vault passes through would be
// 150 faults, most of `authctl code`'s time. Elsewhere, or when the mapping
// fails, it is ordinary heap memory.
type scratch struct {
	buf   []byte
	used  int
	unmap func()
}

// alloc returns n bytes (capacity n), zeroed, from s if they fit.
func (s *scratch) alloc(n int) []byte {
	if s == nil || n > len(s.buf)-s.used {
		return make([]byte, n)
	}
	b := s.buf[s.used : s.used+n : s.used+n]
	s.used += n
	return b
}

// free wipes what was used and gives the memory back. Nothing allocated
// from s may be used after.
func (s *scratch) free() {
	if s == nil {
		return
	}
	clear(s.buf[:s.used])
	if s.unmap != nil {
		s.unmap()
	}
	s.buf, s.used, s.unmap = nil, 0, nil
}

// readScratch reads the file at path into a scratch with room left for its
// decoded ciphertext, wording the usual failures as readFile does. The
// caller frees the scratch.
func readScratch(path string) ([]byte, *scratch, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, pathErr(err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, pathErr(err)
	}
	size := int(fi.Size())
	if !fi.Mode().IsRegular() || size <= 0 || int64(size) != fi.Size() {
		data, err := readFile(path) // not a regular file, empty, or huge: the general way
		return data, nil, err
	}
	// The file, its base64 db decoded (3/4 of it) and the GCM tag.
	s := newScratch(size + 1 + size*3/4 + 64)
	buf := s.alloc(size + 1)
	n, err := io.ReadFull(f, buf)
	switch {
	case err == nil: // the file grew since Stat: read it again the general way
		s.free()
		data, err := readFile(path)
		return data, nil, err
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return buf[:n:n], s, nil
	}
	s.free()
	return nil, nil, pathErr(err)
}

// pathErr drops the path from a *fs.PathError (the caller's message has it)
// and turns a missing file into fs.ErrNotExist.
func pathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	if errors.Is(err, fs.ErrNotExist) {
		return fs.ErrNotExist
	}
	return err
}
