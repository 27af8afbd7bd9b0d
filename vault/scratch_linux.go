package vault

import (
	"syscall"
	"unsafe"
)

const hugePage = 2 << 20

// newScratch maps n bytes (rounded up to whole huge pages) aligned on a
// huge page, and asks for transparent huge pages (MADV_HUGEPAGE: honoured
// when the system's THP mode is "always" or "madvise"). Small vaults and
// any failure fall back to the heap.
func newScratch(n int) *scratch {
	if n < 256<<10 {
		return &scratch{buf: make([]byte, n)}
	}
	size := (n + hugePage - 1) &^ (hugePage - 1)
	m, err := syscall.Mmap(-1, 0, size+hugePage, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return &scratch{buf: make([]byte, n)}
	}
	off := int(-uintptr(unsafe.Pointer(unsafe.SliceData(m))) & (hugePage - 1))
	buf := m[off : off+size : off+size]
	_ = syscall.Madvise(buf, syscall.MADV_HUGEPAGE) // refused: ordinary pages
	return &scratch{buf: buf, unmap: func() { syscall.Munmap(m) }}
}
