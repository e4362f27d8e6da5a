package store

import (
	"fmt"

	bolt "go.etcd.io/bbolt"
	"golang.org/x/sys/unix"
)

// ReleaseMapped drops the database file's pages from this process's
// resident set (madvise MADV_DONTNEED on bbolt's read-only shared map).
// Start-up reads every record once, which leaves the whole file counted
// in the process's RSS although the catalog now holds what it needs; the
// pages stay in the kernel's page cache and fault back in when a request
// reads them. A read transaction holds bbolt's map lock, so the map cannot
// move while it is advised.
func (db *DB) ReleaseMapped() error {
	return db.bolt.View(func(tx *bolt.Tx) error {
		info := tx.DB().Info()
		size := uintptr(tx.Size())
		if info == nil || info.Data == 0 || size == 0 {
			return nil
		}
		// A raw syscall on the map's address: converting it to a Go pointer
		// for unix.Madvise would be a misuse of unsafe.Pointer.
		if _, _, errno := unix.Syscall(unix.SYS_MADVISE, info.Data, size, unix.MADV_DONTNEED); errno != 0 {
			return fmt.Errorf("store: release mapped pages: %w", errno)
		}
		return nil
	})
}
