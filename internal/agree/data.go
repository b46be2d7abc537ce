package agree

import (
	"fmt"
	"slices"
)

// Value is one coder's value for one unit. The zero Value is missing: the
// coder gave no value ("unknown" is missing; 0 is a value, [Num](0)).
type Value struct {
	X  float64
	OK bool
}

// Missing is the value of a unit a coder did not code.
var Missing = Value{}

// Num is a present value.
func Num(x float64) Value { return Value{X: x, OK: true} }

// Data is reliability data: Units[u][c] is coder c's value for unit u. Rows
// may be shorter than the number of coders; absent cells are missing.
//
// For nominal data built from codes, a value is the index of its code in
// Categories. Categories also tells Gwet's AC1 how many categories the
// coders could choose from (q), which its chance term depends on.
//
// CoderCount is the number of coders when the caller knows it: rows alone
// cannot tell two coders who share no unit (no rows at all, or every row
// short) from fewer coders. 0 leaves it to the rows.
type Data struct {
	Units      [][]Value
	Categories []string
	CoderCount int
}

// Coders is the number of coders: CoderCount, or the longest row if that
// is longer.
func (d Data) Coders() int {
	n := d.CoderCount
	for _, u := range d.Units {
		n = max(n, len(u))
	}
	return n
}

// FromCodes builds nominal reliability data from labelled codes,
// units[u][c]; "" is missing. categories lists the codes the coders could
// use (it may be nil); codes not in it are added in order of first
// appearance, so every code maps to a distinct value.
func FromCodes(units [][]string, categories []string) Data {
	cats := slices.Clone(categories)
	index := make(map[string]int, len(cats))
	for i, c := range cats {
		index[c] = i
	}
	rows := make([][]Value, len(units))
	for u, unit := range units {
		row := make([]Value, len(unit))
		for c, code := range unit {
			if code == "" {
				continue
			}
			i, ok := index[code]
			if !ok {
				i = len(cats)
				index[code] = i
				cats = append(cats, code)
			}
			row[c] = Num(float64(i))
		}
		rows[u] = row
	}
	return Data{Units: rows, Categories: cats}
}

// FromOrdered builds ordinal reliability data from codes with a known order
// (A-F, 1-6, precision codes): a code's value is its rank in order. ""
// is missing; a code not in order is an error naming unit and coder.
func FromOrdered(units [][]string, order []string) (Data, error) {
	known := make(map[string]bool, len(order))
	for _, c := range order {
		known[c] = true
	}
	for u, unit := range units {
		for c, code := range unit {
			if code != "" && !known[code] {
				return Data{}, fmt.Errorf("unit %d coder %d: code %q is not one of %q", u, c, code, order)
			}
		}
	}
	// Every code is in order: FromCodes gives each its rank.
	return FromCodes(units, order), nil
}

// FromNumbers builds interval or ratio data (counts such as killed or
// wounded) from units[u][c]; nil is missing (unknown), a pointer to 0 is 0.
func FromNumbers(units [][]*float64) Data {
	rows := make([][]Value, len(units))
	for u, unit := range units {
		row := make([]Value, len(unit))
		for c, x := range unit {
			if x != nil {
				row[c] = Num(*x)
			}
		}
		rows[u] = row
	}
	return Data{Units: rows}
}

// FromCoderRows builds data from one row per coder, coders[c][u], the way
// reliability data are usually printed (Krippendorff's m x N table).
func FromCoderRows(coders [][]Value) Data {
	n := 0
	for _, row := range coders {
		n = max(n, len(row))
	}
	units := make([][]Value, n)
	for u := range units {
		units[u] = make([]Value, len(coders))
		for c, row := range coders {
			if u < len(row) {
				units[u][c] = row[u]
			}
		}
	}
	return Data{Units: units, CoderCount: len(coders)}
}

// FromTable builds two-coder data from a contingency table: table[i][j]
// units were put in category i by the first coder and j by the second.
// Category k is value k.
func FromTable(table [][]int) Data {
	var units [][]Value
	q := len(table)
	for i, row := range table {
		q = max(q, len(row))
		for j, count := range row {
			for range count {
				units = append(units, []Value{Num(float64(i)), Num(float64(j))})
			}
		}
	}
	return Data{Units: units, Categories: numberedCategories(q), CoderCount: 2}
}

// FromCounts builds data from per-unit category counts (Fleiss' layout):
// counts[u][k] coders put unit u in category k. Which coder gave which
// value is not known, so the coder columns are arbitrary: use it for
// measures that ignore coder identity (alpha, Fleiss' kappa, AC1), not for
// Cohen's kappa.
func FromCounts(counts [][]int) Data {
	units := make([][]Value, len(counts))
	q := 0
	for u, row := range counts {
		q = max(q, len(row))
		for k, count := range row {
			for range count {
				units[u] = append(units[u], Num(float64(k)))
			}
		}
	}
	return Data{Units: units, Categories: numberedCategories(q)}
}

func numberedCategories(q int) []string {
	cats := make([]string, q)
	for i := range cats {
		cats[i] = fmt.Sprint(i)
	}
	return cats
}

// present returns the values of a unit that are not missing, appended to buf.
func present(unit []Value, buf []float64) []float64 {
	buf = buf[:0]
	for _, v := range unit {
		if v.OK {
			buf = append(buf, v.X)
		}
	}
	return buf
}
