package scenario

import (
	"errors"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name, rule, want string
		codes            string
	}{
		{"leaf control", "control", "control", ""},
		{"empty set", "empty", "empty", ""},
		{"one oblast", "oblast(UA-14)", "oblast(UA-14)", "UA-14"},
		{"several oblasts", "oblast(UA-14, UA-09,UA-23 , UA-65)", "oblast(UA-14, UA-09, UA-23, UA-65)", "UA-09,UA-14,UA-23,UA-65"},
		{"union is left associative", "control + ukraine - empty", "((control + ukraine) - empty)", ""},
		{"intersection binds tighter", "control - control * oblast(UA-63)", "(control - (control * oblast(UA-63)))", "UA-63"},
		{"minus next to code needs no spaces", "oblast(UA-14)-control", "(oblast(UA-14) - control)", "UA-14"},
		{"alaska-2025 of CONTEXT.md",
			"(control + oblast(UA-14) + oblast(UA-09)) - (control * (oblast(UA-59) + oblast(UA-63) + oblast(UA-12)))",
			"(((control + oblast(UA-14)) + oblast(UA-09)) - (control * ((oblast(UA-59) + oblast(UA-63)) + oblast(UA-12))))",
			"UA-09,UA-12,UA-14,UA-59,UA-63"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := Parse(tt.rule)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.rule, err)
			}
			if got := e.String(); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
			if got := strings.Join(e.Codes(), ","); got != tt.codes {
				t.Errorf("Codes() = %s, want %s", got, tt.codes)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, rule string
		offset     int
		reason     string
	}{
		{"empty rule", "", 0, "rule ends where an operand is expected"},
		{"unknown name", "control + donbas", 10, `unknown name "donbas"`},
		{"dangling operator", "control +", 9, "rule ends where an operand is expected"},
		{"unclosed paren", "(control + empty", 16, `expected ")", found end of rule`},
		{"bad code", "oblast(14)", 7, "expected an ISO 3166-2 code"},
		{"lower-case code", "oblast(ua-14)", 7, "expected an ISO 3166-2 code"},
		{"missing comma", "oblast(UA-14 UA-09)", 13, `expected "," or ")"`},
		{"trailing token", "control )", 8, `unexpected ")"`},
		{"stray character", "control & empty", 8, `unexpected "&" after the end`},
		{"stray character as operand", "control + &", 10, `expected an operand, found "&"`},
		{"too deep", strings.Repeat("(", 100) + "control" + strings.Repeat(")", 100), 64, "nested deeper than 64 levels"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.rule)
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) error = %v, want *SyntaxError", tt.rule, err)
			}
			if se.Offset != tt.offset || !strings.Contains(se.Reason, tt.reason) {
				t.Errorf("got offset %d reason %q, want offset %d reason containing %q", se.Offset, se.Reason, tt.offset, tt.reason)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"control", "(control + oblast(UA-14)) - empty", "oblast(UA-14, UA-09) * ukraine", "((", "UA-14-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, rule string) {
		e, err := Parse(rule)
		if err != nil {
			return
		}
		// A parsed rule prints to a rule that parses to the same tree.
		again, err := Parse(e.String())
		if err != nil {
			t.Fatalf("re-parse of %q: %v", e.String(), err)
		}
		if again.String() != e.String() {
			t.Fatalf("round trip: got %s, want %s", again, e)
		}
	})
}
