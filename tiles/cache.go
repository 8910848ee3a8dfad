package tiles

import (
	"container/list"
	"crypto/sha256"
	"encoding/hex"
	"sync"

	"golang.org/x/sync/singleflight"
)

// Cache keeps rendered tiles in memory up to a byte budget, evicting the
// least recently used, and makes concurrent requests for the same missing
// key render once. It is safe for concurrent use; a lookup holds the lock
// only to move a list element, never while rendering.
type Cache struct {
	maxBytes int64
	disk     *DiskCache // optional second level, consulted before rendering
	flight   singleflight.Group

	mu    sync.Mutex
	bytes int64
	order *list.List               // front = most recently used
	items map[string]*list.Element // value: *cacheEntry
	stats CacheStats
}

type cacheEntry struct {
	key  string
	data []byte
	etag string // ETag(data), computed once when the entry is stored
}

// ETag is a strong HTTP validator of tile bytes: a quoted hex prefix of
// their SHA-256.
func ETag(b []byte) string {
	sum := sha256.Sum256(b)
	return `"` + hex.EncodeToString(sum[:12]) + `"`
}

// CacheStats counts cache traffic since the cache was made. A lookup that
// finds its key in memory is a hit; a GetOrRender that does not is one miss
// (however many lookups came before it), answered from disk or rendered.
type CacheStats struct {
	Hits, Misses, Evictions int64
	DiskHits, Renders       int64 // how misses were answered (a miss that finds another caller's render counts neither)
	Bytes                   int64 // held now
	Entries                 int   // held now
	MaxBytes                int64 // the budget
}

// NewCache returns a cache holding at most maxBytes of tile data (keys not
// counted); maxBytes <= 0 disables caching but keeps single-flight rendering.
// A non-nil disk is a persistent second level: tiles missing from memory are
// read from it before they are rendered, and rendered tiles are written to it.
func NewCache(maxBytes int64, disk *DiskCache) *Cache {
	return &Cache{maxBytes: maxBytes, disk: disk, order: list.New(), items: map[string]*list.Element{}}
}

// Get returns the cached bytes for key. The slice must not be modified.
func (c *Cache) Get(key string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		c.order.MoveToFront(el)
		c.stats.Hits++
		return el.Value.(*cacheEntry).data, true
	}
	return nil, false
}

// GetWithETag is Get that also returns the entry's ETag, computed when the
// tile was stored, so that serving a cached tile hashes nothing.
func (c *Cache) GetWithETag(key string) ([]byte, string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		c.order.MoveToFront(el)
		c.stats.Hits++
		e := el.Value.(*cacheEntry)
		return e.data, e.etag, true
	}
	return nil, "", false
}

// GetOrRender returns the cached bytes for key and their ETag, or calls
// render once for all concurrent callers of the same key and caches its
// result. Errors are not cached.
func (c *Cache) GetOrRender(key string, render func() ([]byte, error)) ([]byte, string, error) {
	if b, tag, ok := c.GetWithETag(key); ok {
		return b, tag, nil
	}
	c.count(&c.stats.Misses)
	v, err, _ := c.flight.Do(key, func() (any, error) {
		if e, ok := c.peek(key); ok {
			return e, nil
		}
		b, fromDisk := c.disk.get(key)
		if fromDisk {
			c.count(&c.stats.DiskHits)
		} else {
			var err error
			if b, err = render(); err != nil {
				return nil, err
			}
			c.count(&c.stats.Renders)
			// A tile that cannot be written is still served; the disk is a cache.
			c.disk.put(key, b)
		}
		e := &cacheEntry{key: key, data: b, etag: ETag(b)}
		c.put(e)
		return e, nil
	})
	if err != nil {
		return nil, "", err
	}
	e := v.(*cacheEntry)
	return e.data, e.etag, nil
}

// count adds one to a counter of c.stats.
func (c *Cache) count(n *int64) {
	c.mu.Lock()
	*n++
	c.mu.Unlock()
}

// peek is Get without counting or reordering.
func (c *Cache) peek(key string) (*cacheEntry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		return el.Value.(*cacheEntry), true
	}
	return nil, false
}

// put stores e (an entry is never modified once stored) and evicts the
// least recently used entries beyond the budget.
func (c *Cache) put(e *cacheEntry) {
	size := int64(len(e.data))
	if size > c.maxBytes {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[e.key]; ok {
		c.bytes -= int64(len(el.Value.(*cacheEntry).data))
		el.Value = e
		c.order.MoveToFront(el)
	} else {
		c.items[e.key] = c.order.PushFront(e)
	}
	c.bytes += size
	for c.bytes > c.maxBytes {
		el := c.order.Back()
		old := el.Value.(*cacheEntry)
		c.order.Remove(el)
		delete(c.items, old.key)
		c.bytes -= int64(len(old.data))
		c.stats.Evictions++
	}
}

// Stats returns the cache's counters.
func (c *Cache) Stats() CacheStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.stats
	s.Bytes, s.Entries, s.MaxBytes = c.bytes, len(c.items), c.maxBytes
	return s
}

// get and put make a nil DiskCache an absent one.
func (d *DiskCache) get(key string) ([]byte, bool) {
	if d == nil {
		return nil, false
	}
	return d.Get(key)
}

func (d *DiskCache) put(key string, b []byte) {
	if d != nil {
		d.Put(key, b)
	}
}
