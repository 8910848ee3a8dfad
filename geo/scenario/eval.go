package scenario

import (
	"fmt"

	"github.com/frontlinemap/frontline/geo"
	"github.com/paulmach/orb"
)

// Env holds the inputs of a rule: all in lon/lat degrees, none changed by
// evaluation.
type Env struct {
	Control orb.MultiPolygon            // Russian-held area on the date (as stored: may stick out of Ukraine)
	Units   map[string]orb.MultiPolygon // admin1 units by ISO code (27 Ukrainian units)
	Ukraine orb.MultiPolygon            // union of all units (callers compute it once and reuse it)
}

// Eval evaluates e on env and returns the area it defines as a valid,
// canonical MultiPolygon (see geo.Intersection), nil when empty. Control is
// first clipped to Ukraine, and every result is clipped to Ukraine; the
// final clip is skipped only when the result is inside Ukraine by
// construction (built from control, ukraine and empty alone, or intersected
// with one of them). Every sub-expression is computed once: the clipped
// control that alaska-2025 uses twice, say. An oblast code missing from
// env.Units is an error naming it (a wrapped *UnknownUnitError). The result
// never shares memory with env.
func Eval(e *Expr, env Env) (orb.MultiPolygon, error) {
	ev, err := newEvaluator(env)
	if err != nil {
		return nil, fmt.Errorf("evaluate %s: %w", e, err)
	}
	return ev.result(e)
}

// Outcome is what a scenario means on a date; all areas are lon/lat
// MultiPolygons inside Ukraine, valid and canonical, nil when empty.
type Outcome struct {
	// Control is the Russian-held area clipped to Ukraine; Russia the area
	// the rule gives Russia after the deal (not sliver-filtered: it is the
	// honest area held). ToRussia = Russia - Control is land Ukraine would
	// cede and ToUkraine = Control - Russia land Russia would return, both
	// without their slivers.
	Control, Russia, ToRussia, ToUkraine orb.MultiPolygon
	// AbsorbedToRussia and AbsorbedToUkraine are the slivers removed from
	// ToRussia and ToUkraine: thin strips along the border and the coast
	// where the sources disagree (see geo.Outline.SplitSlivers).
	AbsorbedToRussia, AbsorbedToUkraine orb.MultiPolygon
	// Line is the line of contact of Russia: its boundary without the
	// stretches within the line tolerance of the international border and
	// the coast (geo.Outline.ContactLine), and without the pieces that never
	// get farther from them than the sliver tolerance: those bound slivers
	// where the sources' coasts or borders disagree, not a front.
	Line orb.MultiLineString
}

// Options tunes Evaluate and Compare. Zero values mean the defaults,
// geo.DefaultSliverToleranceM (2000 m) and geo.DefaultContactToleranceM
// (500 m). A negative SliverToleranceM turns the sliver filter off (and
// keeps the line's pieces along the outline); a negative LineToleranceM
// keeps the outline in the line (every ring of Russia whole).
type Options struct {
	SliverToleranceM float64 // metres from the outline within which thin transfers are slivers
	LineToleranceM   float64 // metres from the outline within which Russia's boundary is not line of contact
}

// withDefaults returns opt with zero values replaced by the defaults.
func (opt Options) withDefaults() Options {
	if opt.SliverToleranceM == 0 {
		opt.SliverToleranceM = geo.DefaultSliverToleranceM
	}
	if opt.LineToleranceM == 0 {
		opt.LineToleranceM = geo.DefaultContactToleranceM
	}
	return opt
}

// Evaluate evaluates e on env (as Eval) and derives the transfers, their
// slivers and the line of contact. outline should be
// geo.NewOutline(env.Ukraine), built once and shared; nil builds it on every
// call. env is not changed and shares no memory with the Outcome.
func Evaluate(e *Expr, env Env, outline *geo.Outline, opt Options) (Outcome, error) {
	opt = opt.withDefaults()
	if outline == nil {
		outline = geo.NewOutline(env.Ukraine)
	}
	ev, err := newEvaluator(env)
	if err != nil {
		return Outcome{}, fmt.Errorf("evaluate %s: %w", e, err)
	}
	russia, err := ev.result(e)
	if err != nil {
		return Outcome{}, err
	}
	out := Outcome{Control: ev.control, Russia: russia}
	toRussia, err := geo.Difference(russia, ev.control)
	if err != nil {
		return Outcome{}, fmt.Errorf("evaluate %s: to russia: %w", e, err)
	}
	toUkraine, err := geo.Difference(ev.control, russia)
	if err != nil {
		return Outcome{}, fmt.Errorf("evaluate %s: to ukraine: %w", e, err)
	}
	out.ToRussia, out.AbsorbedToRussia = outline.SplitSlivers(toRussia, opt.SliverToleranceM)
	out.ToUkraine, out.AbsorbedToUkraine = outline.SplitSlivers(toUkraine, opt.SliverToleranceM)
	out.Line = dropAlongOutline(outline.ContactLine(russia, opt.LineToleranceM), outline, opt.SliverToleranceM)
	if len(out.Control) > 0 && sameSlice(out.Control, out.Russia) {
		// Keep the two fields independent for callers that edit one.
		out.Russia = out.Russia.Clone()
	}
	return out, nil
}

// Change is the movement between two dates, all lon/lat MultiPolygons inside
// Ukraine, valid, nil when empty: Gained = c2 - c1 (Russian gains), Lost =
// c1 - c2 (Russian losses), without their slivers, which are in
// AbsorbedGained and AbsorbedLost.
type Change struct {
	Gained, Lost, AbsorbedGained, AbsorbedLost orb.MultiPolygon
}

// Compare returns the change from control c1 (earlier date) to c2 (later),
// both first clipped to env.Ukraine (env.Control is not used). outline and
// opt are as for Evaluate. c1 and c2 are not changed.
func Compare(c1, c2 orb.MultiPolygon, env Env, outline *geo.Outline, opt Options) (Change, error) {
	opt = opt.withDefaults()
	if outline == nil {
		outline = geo.NewOutline(env.Ukraine)
	}
	in1, err := geo.Intersection(c1, env.Ukraine)
	if err != nil {
		return Change{}, fmt.Errorf("compare: clip first control to ukraine: %w", err)
	}
	in2, err := geo.Intersection(c2, env.Ukraine)
	if err != nil {
		return Change{}, fmt.Errorf("compare: clip second control to ukraine: %w", err)
	}
	gained, err := geo.Difference(in2, in1)
	if err != nil {
		return Change{}, fmt.Errorf("compare: gained: %w", err)
	}
	lost, err := geo.Difference(in1, in2)
	if err != nil {
		return Change{}, fmt.Errorf("compare: lost: %w", err)
	}
	var ch Change
	ch.Gained, ch.AbsorbedGained = outline.SplitSlivers(gained, opt.SliverToleranceM)
	ch.Lost, ch.AbsorbedLost = outline.SplitSlivers(lost, opt.SliverToleranceM)
	return ch, nil
}

// UnknownUnitError reports an oblast(...) code that names no unit of the
// Env; test for it with errors.As.
type UnknownUnitError struct {
	Code string // the ISO 3166-2 code as written in the rule
}

func (e *UnknownUnitError) Error() string {
	return fmt.Sprintf("unknown unit %q: no boundary with that code", e.Code)
}

// dropAlongOutline returns the lines of mls that leave the band of
// toleranceM metres along the outline somewhere (at a vertex or the midpoint
// of a segment), dropping the rest: a stretch of Russia's boundary that
// never gets farther than that from the border or the coast bounds a sliver
// (where the control data's coast or border disagrees with the boundaries'
// by more than the line tolerance), not a front. A negative toleranceM keeps
// every line.
func dropAlongOutline(mls orb.MultiLineString, outline *geo.Outline, toleranceM float64) orb.MultiLineString {
	if toleranceM < 0 {
		return mls
	}
	var out orb.MultiLineString
	for _, ls := range mls {
		if leavesBand(ls, outline, toleranceM) {
			out = append(out, ls)
		}
	}
	return out
}

// leavesBand reports whether a vertex or segment midpoint of ls lies more
// than toleranceM metres from the outline.
func leavesBand(ls orb.LineString, outline *geo.Outline, toleranceM float64) bool {
	for i, p := range ls {
		if outline.DistanceM(p) > toleranceM {
			return true
		}
		if i+1 < len(ls) {
			mid := orb.Point{(p[0] + ls[i+1][0]) / 2, (p[1] + ls[i+1][1]) / 2}
			if outline.DistanceM(mid) > toleranceM {
				return true
			}
		}
	}
	return false
}

// evaluator evaluates the nodes of one rule on one Env, remembering the
// value of every sub-expression by its printed form.
type evaluator struct {
	env     Env
	control orb.MultiPolygon // env.Control clipped to Ukraine
	cache   map[string]value
}

// value is the area of a sub-expression; inside records whether it is
// inside Ukraine by construction. Values are never changed once made: they
// may be shared between nodes and with env.
type value struct {
	mp     orb.MultiPolygon
	inside bool
}

// newEvaluator clips env.Control to Ukraine.
func newEvaluator(env Env) (*evaluator, error) {
	control, err := geo.Intersection(env.Control, env.Ukraine)
	if err != nil {
		return nil, fmt.Errorf("clip control to ukraine: %w", err)
	}
	return &evaluator{env: env, control: control, cache: map[string]value{}}, nil
}

// result evaluates e, clips it to Ukraine unless it is inside by
// construction, and returns memory not shared with env.
func (ev *evaluator) result(e *Expr) (orb.MultiPolygon, error) {
	v, err := ev.eval(e)
	if err != nil {
		return nil, fmt.Errorf("evaluate %s: %w", e, err)
	}
	if !v.inside {
		clipped, err := geo.Intersection(v.mp, ev.env.Ukraine)
		if err != nil {
			return nil, fmt.Errorf("evaluate %s: clip to ukraine: %w", e, err)
		}
		return clipped, nil
	}
	if len(v.mp) > 0 && sameSlice(v.mp, ev.env.Ukraine) {
		return v.mp.Clone(), nil
	}
	return v.mp, nil
}

// eval returns the value of e, from the cache when it was computed before.
func (ev *evaluator) eval(e *Expr) (value, error) {
	key := e.String()
	if v, ok := ev.cache[key]; ok {
		return v, nil
	}
	v, err := ev.compute(e)
	if err != nil {
		return value{}, err
	}
	ev.cache[key] = v
	return v, nil
}

// compute evaluates one node.
func (ev *evaluator) compute(e *Expr) (value, error) {
	switch {
	case e.Op == Union:
		// A chain a + b + c is one union of its operands.
		var mps []orb.MultiPolygon
		inside := true
		for _, operand := range unionOperands(e, nil) {
			v, err := ev.eval(operand)
			if err != nil {
				return value{}, err
			}
			mps = append(mps, v.mp)
			inside = inside && v.inside
		}
		mp, err := union(mps...)
		return value{mp: mp, inside: inside}, wrapOp(Union, err)
	case e.Op != 0:
		l, err := ev.eval(e.Left)
		if err != nil {
			return value{}, err
		}
		r, err := ev.eval(e.Right)
		if err != nil {
			return value{}, err
		}
		return combine(e.Op, l, r)
	case e.Oblasts != nil:
		return ev.oblasts(e.Oblasts)
	}
	switch e.Name {
	case "control":
		return value{mp: ev.control, inside: true}, nil
	case "ukraine":
		return value{mp: ev.env.Ukraine, inside: true}, nil
	case "empty":
		return value{inside: true}, nil
	}
	return value{}, fmt.Errorf("unknown name %q", e.Name)
}

// oblasts returns the union of the named units; a code missing from the
// units is an error naming it.
func (ev *evaluator) oblasts(codes []string) (value, error) {
	mps := make([]orb.MultiPolygon, 0, len(codes))
	for _, c := range codes {
		u, ok := ev.env.Units[c]
		if !ok {
			return value{}, &UnknownUnitError{Code: c}
		}
		mps = append(mps, u)
	}
	u, err := union(mps...)
	if err != nil {
		return value{}, fmt.Errorf("oblast(%v): %w", codes, err)
	}
	return value{mp: u}, nil
}

// unionOperands appends to dst the operands of the chain of unions rooted at
// e, left to right.
func unionOperands(e *Expr, dst []*Expr) []*Expr {
	if e.Op != Union {
		return append(dst, e)
	}
	return unionOperands(e.Right, unionOperands(e.Left, dst))
}

// combine applies the difference or intersection op to l and r.
func combine(op Op, l, r value) (value, error) {
	var (
		mp  orb.MultiPolygon
		err error
	)
	switch op {
	case Difference:
		mp, err = geo.Difference(l.mp, r.mp)
		return value{mp: mp, inside: l.inside}, wrapOp(op, err)
	case Intersection:
		mp, err = geo.Intersection(l.mp, r.mp)
		return value{mp: mp, inside: l.inside || r.inside}, wrapOp(op, err)
	}
	return value{}, fmt.Errorf("unknown operator %q", op)
}

// wrapOp names the operator in an overlay error.
func wrapOp(op Op, err error) error {
	if err != nil {
		return fmt.Errorf("operator %q: %w", op, err)
	}
	return nil
}

// union returns the union of the non-empty operands: nil when all are
// empty, the operand itself (shared, not copied) when only one is not.
func union(mps ...orb.MultiPolygon) (orb.MultiPolygon, error) {
	var nonEmpty []orb.MultiPolygon
	for _, mp := range mps {
		if len(mp) > 0 {
			nonEmpty = append(nonEmpty, mp)
		}
	}
	switch len(nonEmpty) {
	case 0:
		return nil, nil
	case 1:
		return nonEmpty[0], nil
	}
	return geo.Union(nonEmpty...)
}

// sameSlice reports whether a and b are the same non-empty slice.
func sameSlice(a, b orb.MultiPolygon) bool {
	return len(a) > 0 && len(a) == len(b) && &a[0] == &b[0]
}
