package model

import (
	"errors"
	"slices"
)

// The rules of changing one part of an incident field's value, as a form
// row changes it (the screen's form applies them; they live here so any
// front end changes values the same way): an estimate of a count, the
// start, end or precision of a date, an item of a list.

// SetCountPart sets one estimate of a count ("low", "best" or "high"; nil
// is unknown) and checks the count. A count left with no estimate is no
// value at all.
func SetCountPart(v Value, part string, n *int) (Value, error) {
	c := Count{}
	if v.Count != nil {
		c = *v.Count
	}
	switch part {
	case "low":
		c.Low = n
	case "best":
		c.Best = n
	case "high":
		c.High = n
	default:
		return v, errors.New("a count has a low, a best and a high estimate")
	}
	if err := CheckCount(c); err != nil {
		return v, err
	}
	if c.Low == nil && c.Best == nil && c.High == nil {
		return Value{}, nil
	}
	return Value{Count: &c}, nil
}

// SetDatePart sets a date's start or end (part "end"; anything else is
// the start; "" clears it). A date has a start before it has an end; a
// new date is precise to the day until said otherwise; a date with no
// start is no value.
func SetDatePart(v Value, part, val string) (Value, error) {
	d := Date{}
	if v.Date != nil {
		d = *v.Date
	}
	if part == "end" {
		d.End = val
	} else {
		d.Start = val
	}
	if d.Start == "" && d.End != "" {
		return v, errors.New("enter the start date first")
	}
	if d.Start == "" {
		return Value{}, nil
	}
	if err := CheckDate(d); err != nil {
		return v, err
	}
	if d.Precision == "" {
		d.Precision = "day"
	}
	return Value{Date: &d}, nil
}

// SetDatePrecision sets a date's precision ("" clears it); a precision
// needs a date.
func SetDatePrecision(v Value, p string) (Value, error) {
	if v.Date == nil {
		return v, errors.New("enter the date first")
	}
	d := *v.Date
	d.Precision = p
	return Value{Date: &d}, nil
}

// ToggleListItem adds item to a list value's items, or takes it out when
// the list holds it already (same says whether two items are one, as two
// mentions of one entity are): a list names each thing once. A list that
// holds one item (single) is replaced.
func ToggleListItem(list []string, item string, same func(a, b string) bool, single bool) []string {
	list = slices.Clone(list)
	for _, held := range list {
		if held == item || same != nil && same(held, item) {
			return RemoveID(list, held)
		}
	}
	if single {
		return []string{item}
	}
	return append(list, item)
}
