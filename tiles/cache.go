package tiles

import (
	"container/list"
	"sync"

	"golang.org/x/sync/singleflight"
)

// Cache keeps rendered tiles in memory up to a byte budget, evicting the
// least recently used, and makes concurrent requests for the same missing
// key render once. It is safe for concurrent use; a lookup holds the lock
// only to move a list element, never while rendering.
type Cache struct {
	maxBytes int64
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
}

// CacheStats counts cache traffic since the cache was made.
type CacheStats struct {
	Hits, Misses, Evictions int64
	Bytes                   int64 // held now
	Entries                 int   // held now
}

// NewCache returns a cache holding at most maxBytes of tile data (keys not
// counted); maxBytes <= 0 disables caching but keeps single-flight rendering.
func NewCache(maxBytes int64) *Cache {
	return &Cache{maxBytes: maxBytes, order: list.New(), items: map[string]*list.Element{}}
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
	c.stats.Misses++
	return nil, false
}

// GetOrRender returns the cached bytes for key, or calls render once for all
// concurrent callers of the same key and caches its result. Errors are not
// cached.
func (c *Cache) GetOrRender(key string, render func() ([]byte, error)) ([]byte, error) {
	if b, ok := c.Get(key); ok {
		return b, nil
	}
	v, err, _ := c.flight.Do(key, func() (any, error) {
		if b, ok := c.peek(key); ok {
			return b, nil
		}
		b, err := render()
		if err != nil {
			return nil, err
		}
		c.put(key, b)
		return b, nil
	})
	if err != nil {
		return nil, err
	}
	return v.([]byte), nil
}

// peek is Get without counting or reordering.
func (c *Cache) peek(key string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		return el.Value.(*cacheEntry).data, true
	}
	return nil, false
}

func (c *Cache) put(key string, b []byte) {
	size := int64(len(b))
	if size > c.maxBytes {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		c.bytes -= int64(len(el.Value.(*cacheEntry).data))
		el.Value.(*cacheEntry).data = b
		c.order.MoveToFront(el)
	} else {
		c.items[key] = c.order.PushFront(&cacheEntry{key: key, data: b})
	}
	c.bytes += size
	for c.bytes > c.maxBytes {
		el := c.order.Back()
		e := el.Value.(*cacheEntry)
		c.order.Remove(el)
		delete(c.items, e.key)
		c.bytes -= int64(len(e.data))
		c.stats.Evictions++
	}
}

// Stats returns the cache's counters.
func (c *Cache) Stats() CacheStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.stats
	s.Bytes, s.Entries = c.bytes, len(c.items)
	return s
}
