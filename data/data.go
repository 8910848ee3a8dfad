// Package data holds everything about Frontline's stored data: the domain
// types, the embedded default files, and decoding and validating GeoJSON
// input. The SQLite store lives in the sub-package data/sqlite.
package data

import (
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/paulmach/orb"
)

// Kinds of boundary.
const (
	KindAdmin1  = "admin1"  // a Ukrainian first-level unit (oblast, Crimea, Kyiv, Sevastopol)
	KindCountry = "country" // a neighbouring country, for map context
)

// Errors that callers tell apart; they are wrapped with context where they occur.
var (
	// ErrNotFound means the requested date, boundary or scenario is not stored.
	ErrNotFound = errors.New("not found")
	// ErrExists means an import would overwrite stored data without permission to replace it.
	ErrExists = errors.New("already exists")
	// ErrInvalid means the input (a file, a flag, a request parameter) is malformed.
	ErrInvalid = errors.New("invalid input")
	// ErrNoDate means a file name holds nothing that looks like a date
	// (as opposed to an impossible date such as 2025-02-30, which is ErrInvalid only).
	ErrNoDate = errors.New("no date in the name")
)

// Boundary is one administrative unit or country outline, in WGS84 lon/lat.
type Boundary struct {
	ISO      string // ISO 3166-2 code for admin1 units ("UA-14"), ISO 3166-1 alpha-2 for countries ("RU")
	Kind     string // KindAdmin1 or KindCountry
	NameEN   string
	NameUK   string
	Source   string // where the outline came from, for attribution
	Geometry orb.MultiPolygon
}

// SnapshotInfo describes one dated line of control without its geometry.
type SnapshotInfo struct {
	ID          int64 // the store's key; a replaced line gets a new one, so caches keyed on it never go stale
	Date        Date
	Source      string // who published the line, e.g. "DeepStateMap"
	Note        string
	Approximate bool // true for hand-made demonstration data that any import for its date replaces
	ImportedAt  time.Time
	Vertices    int // number of points in the stored geometry
}

// Snapshot is the Russian-held area on one date, in WGS84 lon/lat.
type Snapshot struct {
	SnapshotInfo
	Geometry orb.MultiPolygon
}

// Date is a calendar date formatted YYYY-MM-DD; construct it with ParseDate.
type Date string

// First and last dates a snapshot may carry; anything outside is a typo.
var (
	minDate = time.Date(1991, 8, 24, 0, 0, 0, 0, time.UTC) // Ukraine's independence
	maxDate = time.Date(2099, 12, 31, 0, 0, 0, 0, time.UTC)
)

// ParseDate parses a YYYY-MM-DD calendar date between 1991-08-24 and 2099-12-31.
// Errors wrap ErrInvalid.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return "", fmt.Errorf("%w: date %q is not a calendar date in the form YYYY-MM-DD", ErrInvalid, s)
	}
	if t.Before(minDate) || t.After(maxDate) {
		return "", fmt.Errorf("%w: date %s is outside %s..%s", ErrInvalid, s, minDate.Format(time.DateOnly), maxDate.Format(time.DateOnly))
	}
	// The layout takes exactly four, two and two digits, so s is already in
	// the canonical form; reusing it saves an allocation on every tile path.
	return Date(s), nil
}

// fileDate matches the dates that name snapshot files: 20250815 or 2025-08-15.
var fileDate = regexp.MustCompile(`(?:^|[^0-9])(\d{4})-?(\d{2})-?(\d{2})(?:[^0-9]|$)`)

// errNoDate adds ErrNoDate to an error without changing its message.
var errNoDate = silent{ErrNoDate}

type silent struct{ error }

func (silent) Error() string   { return "" }
func (s silent) Unwrap() error { return s.error }

// DateFromFileName finds the snapshot date in a file name such as
// "deepstatemap_data_20250815.geojson" or "2025-08-15.geojson".
// Errors wrap ErrInvalid, and also ErrNoDate when nothing looks like a date.
func DateFromFileName(name string) (Date, error) {
	m := fileDate.FindStringSubmatch(name)
	if m == nil {
		return "", fmt.Errorf("%w: file name %q holds no date (want YYYYMMDD or YYYY-MM-DD)%w", ErrInvalid, name, errNoDate)
	}
	return ParseDate(m[1] + "-" + m[2] + "-" + m[3])
}
