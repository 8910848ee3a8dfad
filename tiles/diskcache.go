package tiles

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// DiskCache keeps rendered tiles in files under a directory, so that a
// restarted server does not render them again. Keys carry the data revision,
// so a file never answers for other data; files of old revisions are left
// until the directory is cleared. Writes are atomic (temporary file, then
// rename), so a reader never sees half a tile. Safe for concurrent use.
type DiskCache struct {
	dir string
}

// NewDiskCache uses dir, creating it if needed.
func NewDiskCache(dir string) (*DiskCache, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("tile cache directory: %w", err)
	}
	return &DiskCache{dir: dir}, nil
}

// path spreads files over 256 sub-directories by the hash of the key.
func (d *DiskCache) path(key string) string {
	sum := sha256.Sum256([]byte(key))
	h := hex.EncodeToString(sum[:])
	return filepath.Join(d.dir, h[:2], h[2:]+".tile")
}

// Get returns the stored bytes of key.
func (d *DiskCache) Get(key string) ([]byte, bool) {
	b, err := os.ReadFile(d.path(key))
	if err != nil {
		return nil, false
	}
	return b, true
}

// Put stores b under key.
func (d *DiskCache) Put(key string, b []byte) error {
	p := d.path(key)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(p), ".tmp-*")
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		os.Remove(f.Name())
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return err
	}
	if err := os.Rename(f.Name(), p); err != nil {
		os.Remove(f.Name())
		return err
	}
	return nil
}

// Files counts the stored tiles.
func (d *DiskCache) Files() (int, error) {
	n := 0
	err := filepath.WalkDir(d.dir, func(_ string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !e.IsDir() && filepath.Ext(e.Name()) == ".tile" {
			n++
		}
		return nil
	})
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	return n, err
}
