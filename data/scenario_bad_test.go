package data

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// badScenarios maps each file of testdata/bad-scenarios to the reason
// DecodeScenario gives, or "" for a file that decodes and that only the
// store refuses (its rule names an oblast no boundary has).
var badScenarios = map[string]string{
	"self-reference.json":      "the rule refers to the scenario itself",
	"other-scenario.json":      `at character 1: unknown name "alaska"`,
	"unknown-oblast.json":      "",
	"oblast-by-name.json":      `expected an ISO 3166-2 code such as UA-14, found "Donetsk"`,
	"truncated.json":           "bad JSON: unexpected EOF",
	"unknown-field.json":       `unknown field "sumary"`,
	"id-path-traversal.json":   `id "../../etc/passwd" must be 1-63 lower-case letters`,
	"id-uppercase.json":        `id "Alaska" must be 1-63 lower-case letters`,
	"empty-rule.json":          "rule \"\": at character 1",
	"two-objects.json":         "trailing data after the scenario object",
	"impossible-reported.json": `reported: invalid input: date "2025-02-30" is not a calendar date`,
	"deep-parentheses.json":    "nested deeper than",
	"javascript-url.json":      `url "javascript:alert(1)" is not an http(s) URL`,
	"array.json":               "is a JSON array, want data.Scenario",
	"rule-number.json":         `member "rule" is a JSON number, want string`,
	"no-title.json":            "scenario no-title: title is empty",
	"invalid-utf8.json":        "invalid UTF-8",
}

func TestDecodeScenarioRejectsBadInput(t *testing.T) {
	files, _ := filepath.Glob("testdata/bad-scenarios/*.json")
	if len(files) < 15 {
		t.Fatalf("got %d bad scenario files, want at least 15", len(files))
	}
	for _, path := range files {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			want, ok := badScenarios[name]
			if !ok {
				t.Fatalf("testdata/bad-scenarios/%s has no expected outcome in badScenarios", name)
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			_, err = DecodeScenario(name, b)
			if want == "" {
				if err != nil {
					t.Fatalf("got %v, want it to decode (the store refuses it)", err)
				}
				return
			}
			var ie *InputError
			if !errors.As(err, &ie) || !errors.Is(err, ErrInvalid) {
				t.Fatalf("got %v, want an *InputError wrapping ErrInvalid", err)
			}
			if !strings.HasPrefix(err.Error(), name) || !strings.Contains(err.Error(), want) {
				t.Errorf("got %q, want it to name the file and contain %q", err, want)
			}
		})
	}
}
