// Package scenario parses the rules that define territorial-swap scenarios:
// set expressions over the Russian-held area and oblast boundaries, such as
//
//	(control + oblast(UA-14) + oblast(UA-09)) - (control * oblast(UA-59, UA-63, UA-12))
//
// '+' is union, '-' difference, '*' intersection; '*' binds tighter than '+'
// and '-', which associate to the left. Names: control (the Russian-held area
// on the chosen date), ukraine (all Ukrainian units), empty (nothing), and
// oblast(ISO, ...) (the union of the named units).
package scenario

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// Op is a set operation.
type Op byte

// The set operations, written as in rules.
const (
	Union        Op = '+'
	Difference   Op = '-'
	Intersection Op = '*'
)

// Expr is a parsed rule: exactly one of its forms is set.
type Expr struct {
	Name        string   // "control", "ukraine" or "empty" for a leaf; "" otherwise
	Oblasts     []string // ISO codes of an oblast(...) leaf
	Op          Op       // operator of an inner node; 0 for leaves
	Left, Right *Expr
}

// String formats e fully parenthesised, so equal trees print equally.
func (e *Expr) String() string {
	switch {
	case e.Op != 0:
		return "(" + e.Left.String() + " " + string(e.Op) + " " + e.Right.String() + ")"
	case e.Oblasts != nil:
		return "oblast(" + strings.Join(e.Oblasts, ", ") + ")"
	default:
		return e.Name
	}
}

// Codes returns the sorted, distinct ISO codes the rule refers to.
func (e *Expr) Codes() []string {
	seen := map[string]bool{}
	var walk func(*Expr)
	walk = func(e *Expr) {
		for _, c := range e.Oblasts {
			seen[c] = true
		}
		if e.Left != nil {
			walk(e.Left)
			walk(e.Right)
		}
	}
	walk(e)
	codes := make([]string, 0, len(seen))
	for c := range seen {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	return codes
}

// SyntaxError reports where a rule stops making sense.
type SyntaxError struct {
	Rule   string
	Offset int // 0-based byte offset in Rule
	Reason string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("rule %q: at character %d: %s", e.Rule, e.Offset+1, e.Reason)
}

// maxDepth bounds nesting so a hostile rule cannot exhaust the stack.
const maxDepth = 64

var isoCode = regexp.MustCompile(`^[A-Z]{2}-[A-Z0-9]{1,3}$`)

// Parse parses a rule. Errors are *SyntaxError values with the offset of the problem.
func Parse(rule string) (*Expr, error) {
	p := &parser{src: rule}
	p.next()
	e, err := p.expr(0)
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tokEOF {
		return nil, p.errorf("unexpected %s after the end of the expression", p.tok)
	}
	return e, nil
}

type tokKind int

const (
	tokEOF tokKind = iota
	tokIdent
	tokOp
	tokLParen
	tokRParen
	tokComma
	tokBad
)

type token struct {
	kind tokKind
	text string
	pos  int
}

func (t token) String() string {
	if t.kind == tokEOF {
		return "end of rule"
	}
	return fmt.Sprintf("%q", t.text)
}

type parser struct {
	src string
	pos int
	tok token
}

func (p *parser) errorf(format string, args ...any) error {
	return &SyntaxError{Rule: p.src, Offset: p.tok.pos, Reason: fmt.Sprintf(format, args...)}
}

func (p *parser) next() {
	for p.pos < len(p.src) && strings.ContainsRune(" \t\r\n", rune(p.src[p.pos])) {
		p.pos++
	}
	start := p.pos
	if p.pos >= len(p.src) {
		p.tok = token{kind: tokEOF, pos: start}
		return
	}
	c := p.src[p.pos]
	switch {
	case c == '+' || c == '-' || c == '*':
		p.pos++
		p.tok = token{tokOp, string(c), start}
	case c == '(':
		p.pos++
		p.tok = token{tokLParen, "(", start}
	case c == ')':
		p.pos++
		p.tok = token{tokRParen, ")", start}
	case c == ',':
		p.pos++
		p.tok = token{tokComma, ",", start}
	case isIdentByte(c):
		for p.pos < len(p.src) && (isIdentByte(p.src[p.pos]) || p.src[p.pos] == '-' && p.pos+1 < len(p.src) && isIdentByte(p.src[p.pos+1]) && isCodePrefix(p.src[start:p.pos])) {
			p.pos++
		}
		p.tok = token{tokIdent, p.src[start:p.pos], start}
	default:
		p.pos++
		p.tok = token{tokBad, string(c), start}
	}
}

func isIdentByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

// isCodePrefix reports whether s is the country part of an ISO 3166-2 code,
// so that the '-' in "UA-14" belongs to the code and not to a difference.
func isCodePrefix(s string) bool {
	return len(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z'
}

func precedence(op string) int {
	if op == "*" {
		return 2
	}
	return 1
}

// expr parses operands joined by operators of at least precedence minPrec.
func (p *parser) expr(depth int) (*Expr, error) {
	return p.binary(depth, 1)
}

func (p *parser) binary(depth, minPrec int) (*Expr, error) {
	left, err := p.operand(depth)
	if err != nil {
		return nil, err
	}
	for p.tok.kind == tokOp && precedence(p.tok.text) >= minPrec {
		op := p.tok.text
		p.next()
		right, err := p.binary(depth, precedence(op)+1)
		if err != nil {
			return nil, err
		}
		left = &Expr{Op: Op(op[0]), Left: left, Right: right}
	}
	return left, nil
}

func (p *parser) operand(depth int) (*Expr, error) {
	if depth >= maxDepth {
		return nil, p.errorf("nested deeper than %d levels", maxDepth)
	}
	switch p.tok.kind {
	case tokLParen:
		p.next()
		e, err := p.binary(depth+1, 1)
		if err != nil {
			return nil, err
		}
		if p.tok.kind != tokRParen {
			return nil, p.errorf("expected \")\", found %s", p.tok)
		}
		p.next()
		return e, nil
	case tokIdent:
		name := p.tok.text
		switch name {
		case "control", "ukraine", "empty":
			p.next()
			return &Expr{Name: name}, nil
		case "oblast":
			return p.oblast()
		}
		return nil, p.errorf("unknown name %q (want control, ukraine, empty or oblast(...))", name)
	case tokEOF:
		return nil, p.errorf("rule ends where an operand is expected")
	default:
		return nil, p.errorf("expected an operand, found %s", p.tok)
	}
}

func (p *parser) oblast() (*Expr, error) {
	p.next()
	if p.tok.kind != tokLParen {
		return nil, p.errorf("expected \"(\" after oblast, found %s", p.tok)
	}
	p.next()
	var codes []string
	for {
		if p.tok.kind != tokIdent || !isoCode.MatchString(p.tok.text) {
			return nil, p.errorf("expected an ISO 3166-2 code such as UA-14, found %s", p.tok)
		}
		codes = append(codes, p.tok.text)
		p.next()
		if p.tok.kind == tokRParen {
			p.next()
			return &Expr{Oblasts: codes}, nil
		}
		if p.tok.kind != tokComma {
			return nil, p.errorf("expected \",\" or \")\" in oblast(...), found %s", p.tok)
		}
		p.next()
	}
}
