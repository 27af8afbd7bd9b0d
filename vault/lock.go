package vault

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/gofrs/flock"
)

// How the file reaches the disk. Every write goes to a new temp file in the
// vault's directory, is fsynced, and is renamed over vault.json, so a reader
// sees the old file or the new one and never half of either, and a crash
// (or SIGKILL) at any moment leaves one of the two intact. The rename is
// made durable by an fsync of the directory. Before the rename the current
// file is hard-linked (copied where links are not supported) to
// vault.json.bak, so the previous version survives a bad save or a mistake.
//
// Writers take an exclusive flock on vault.json.lock for the whole
// read-modify-write; readers take no lock, since the rename already makes
// every read see a whole file.

// lockTimeout bounds the wait for another process's save; a save takes
// milliseconds, so a lock held this long belongs to a stuck process.
const lockTimeout = 30 * time.Second

func lockPath(path string) string   { return path + ".lock" }
func backupPath(path string) string { return path + ".bak" }

// tempPattern names the temp files of a save: hidden, beside the vault,
// and recognisable so that a later save can remove what a crash left.
func tempPattern(path string) string { return "." + filepath.Base(path) + ".tmp-*" }

// lockVault takes the inter-process lock of the vault at path and returns
// the function that releases it.
func lockVault(path string) (unlock func(), err error) {
	fl := flock.New(lockPath(path), flock.SetPermissions(0o600))
	done := make(chan error, 1)
	go func() { done <- fl.Lock() }()
	select {
	case err := <-done:
		if err != nil {
			return nil, fmt.Errorf("lock %s: %w", fl.Path(), err)
		}
		return func() { fl.Unlock() }, nil
	case <-time.After(lockTimeout):
		// Lock blocks in the kernel and cannot be cancelled: release the
		// lock if it is granted after all.
		go func() {
			if <-done == nil {
				fl.Unlock()
			}
		}()
		return nil, fmt.Errorf("lock %s: another process has held it for %v; is another authdesk stuck?", fl.Path(), lockTimeout)
	}
}

// writeTemp writes data to a new, fsynced temp file beside path and returns
// its name.
func writeTemp(path string, data []byte) (string, error) {
	f, err := os.CreateTemp(filepath.Dir(path), tempPattern(path))
	if err != nil {
		return "", err
	}
	name := f.Name()
	fail := func(err error) (string, error) {
		f.Close()
		os.Remove(name)
		return "", err
	}
	// CreateTemp makes the file 0600 already; Chmod is for umasks and
	// platforms that do otherwise.
	if err := f.Chmod(0o600); err != nil && runtime.GOOS != "windows" {
		return fail(err)
	}
	if _, err := f.Write(data); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		os.Remove(name)
		return "", err
	}
	return name, nil
}

// replaceFile atomically replaces the file at path with data, keeping the
// file it replaces as path.bak. The caller holds the vault's lock.
func replaceFile(path string, data []byte) error {
	removeStaleTemps(path)
	tmp, err := writeTemp(path, data)
	if err != nil {
		return err
	}
	if err := keepBackup(path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("keep the previous version as %s: %w", filepath.Base(backupPath(path)), err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return syncDir(filepath.Dir(path))
}

// createFile writes data at path only if nothing is there: the temp file
// is hard-linked into place, which fails instead of replacing.
func createFile(path string, data []byte) error {
	tmp, err := writeTemp(path, data)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	if err := os.Link(tmp, path); err != nil {
		if errors.Is(err, os.ErrExist) {
			return os.ErrExist
		}
		// No hard links here (some network and FAT file systems):
		// O_EXCL gives the same no-overwrite guarantee, though a crash
		// in the middle could leave a partial file behind.
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			if errors.Is(err, os.ErrExist) {
				return os.ErrExist
			}
			return err
		}
		if _, err := f.Write(data); err != nil {
			f.Close()
			os.Remove(path)
			return err
		}
		if err := f.Sync(); err != nil {
			f.Close()
			os.Remove(path)
			return err
		}
		if err := f.Close(); err != nil {
			os.Remove(path)
			return err
		}
	}
	return syncDir(filepath.Dir(path))
}

// keepBackup makes path.bak the current file at path: a hard link made
// under a temp name and renamed into place, so that path.bak too is always
// a whole file.
func keepBackup(path string) error {
	bak := backupPath(path)
	tmp := bak + ".tmp"
	os.Remove(tmp)
	if err := os.Link(path, tmp); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil // nothing to keep
		}
		if err := copyFile(path, tmp); err != nil {
			os.Remove(tmp)
			return err
		}
	}
	if err := os.Rename(tmp, bak); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// syncDir makes a rename in dir durable. Windows cannot open a directory
// for syncing, and its renames are journaled by NTFS anyway.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// removeStaleTemps deletes the temp files of saves that a crash cut short.
// Only the lock holder writes temp files, and the caller is it.
func removeStaleTemps(path string) {
	dir := filepath.Dir(path)
	prefix, _, _ := strings.Cut(tempPattern(path), "*")
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), prefix) {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
	os.Remove(backupPath(path) + ".tmp")
}
