package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"
)

// fetcher downloads input files over http(s) with a time and size limit.
type fetcher struct {
	timeout  time.Duration
	maxBytes int64
}

func isURL(s string) bool {
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://")
}

// baseName returns the last path element of a file path or URL, for dates in names.
func baseName(s string) string {
	if isURL(s) {
		if u, err := url.Parse(s); err == nil {
			return path.Base(u.Path)
		}
	}
	return path.Base(strings.ReplaceAll(s, "\\", "/"))
}

// get fetches rawURL, failing on a non-200 status, a timeout or a body over maxBytes.
func (f fetcher) get(ctx context.Context, rawURL string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", rawURL, err)
	}
	req.Header.Set("Accept", "application/geo+json, application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", rawURL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch %s: server answered %s", rawURL, resp.Status)
	}
	if resp.ContentLength > f.maxBytes {
		return nil, fmt.Errorf("fetch %s: %d bytes is over the limit of %d (--max-bytes)", rawURL, resp.ContentLength, f.maxBytes)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, f.maxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", rawURL, err)
	}
	if int64(len(b)) > f.maxBytes {
		return nil, fmt.Errorf("fetch %s: body is over the limit of %d bytes (--max-bytes)", rawURL, f.maxBytes)
	}
	return b, nil
}
