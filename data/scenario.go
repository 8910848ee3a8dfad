package data

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/frontlinemap/frontline/geo/scenario"
)

// Scenario is a territorial-swap proposal: which area Russia would hold after
// a deal, as a rule over the line of control and oblast boundaries.
type Scenario struct {
	ID       string     `json:"id"`       // short slug used in URLs, e.g. "alaska-2025"
	Title    string     `json:"title"`    // one line for pickers and legends
	Summary  string     `json:"summary"`  // one paragraph for readers
	Reported Date       `json:"reported"` // when the proposal was reported
	Sources  []Citation `json:"sources"`  // where it was reported
	Rule     string     `json:"rule"`     // the Russian-held area after the deal; see package geo/scenario
	Builtin  bool       `json:"-"`        // shipped with Frontline rather than added by a user
}

// Citation names one public report of a scenario.
type Citation struct {
	Publisher string `json:"publisher"`
	Title     string `json:"title,omitempty"`
	Date      Date   `json:"date"`
	URL       string `json:"url,omitempty"` // optional: only a link known to be right
}

var (
	scenarioID = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)
	httpURL    = regexp.MustCompile(`^https?://[^\s/$.?#][^\s]*$`)
)

// DecodeScenario decodes and validates one scenario definition file (JSON, see
// data/scenarios/README.md). It checks the rule's syntax but not that its ISO
// codes are known; the store checks those against its boundaries.
// Errors are *InputError values.
func DecodeScenario(name string, b []byte) (Scenario, error) {
	fail := func(format string, args ...any) error {
		return &InputError{File: name, Feature: -1, Reason: fmt.Sprintf(format, args...)}
	}
	if err := checkUTF8(name, b); err != nil {
		return Scenario{}, err
	}
	var s Scenario
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return Scenario{}, jsonError(name, b, err)
	}
	if dec.More() {
		return Scenario{}, fail("trailing data after the scenario object")
	}
	if !scenarioID.MatchString(s.ID) {
		return Scenario{}, fail("id %q must be 1-63 lower-case letters, digits and '-', starting with a letter or digit", s.ID)
	}
	if s.Title == "" {
		return Scenario{}, fail("scenario %s: title is empty", s.ID)
	}
	if s.Summary == "" {
		return Scenario{}, fail("scenario %s: summary is empty", s.ID)
	}
	if _, err := ParseDate(string(s.Reported)); err != nil {
		return Scenario{}, fail("scenario %s: reported: %v", s.ID, err)
	}
	for i, c := range s.Sources {
		if c.Publisher == "" {
			return Scenario{}, fail("scenario %s: source %d: publisher is empty", s.ID, i)
		}
		if _, err := ParseDate(string(c.Date)); err != nil {
			return Scenario{}, fail("scenario %s: source %d: %v", s.ID, i, err)
		}
		if c.URL != "" && !httpURL.MatchString(c.URL) {
			return Scenario{}, fail("scenario %s: source %d: url %q is not an http(s) URL", s.ID, i, c.URL)
		}
	}
	if _, err := scenario.Parse(s.Rule); err != nil {
		if selfRef(s.Rule, s.ID) {
			return Scenario{}, fail("scenario %s: the rule refers to the scenario itself; rules combine control, ukraine, empty and oblast(...), never scenarios: %v", s.ID, err)
		}
		return Scenario{}, fail("scenario %s: %v", s.ID, err)
	}
	return s, nil
}

// selfRef reports whether rule names id as a whole word.
func selfRef(rule, id string) bool {
	word := func(c byte) bool { return c == '-' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }
	for i := 0; ; {
		j := strings.Index(rule[i:], id)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(id)
		if (start == 0 || !word(rule[start-1])) && (end == len(rule) || !word(rule[end])) {
			return true
		}
		i = start + 1
	}
}
