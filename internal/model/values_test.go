package model

import (
	"slices"
	"testing"
)

func TestSetCountPart(t *testing.T) {
	five, three := 5, 3
	v, err := SetCountPart(Value{}, "high", &five)
	if err != nil || v.Count == nil || *v.Count.High != 5 {
		t.Fatalf("high 5: %+v %v", v, err)
	}
	if _, err := SetCountPart(v, "low", ptr(9)); err == nil {
		t.Errorf("low 9 above high 5 was taken")
	}
	v, _ = SetCountPart(v, "low", &three)
	if *v.Count.Low != 3 || *v.Count.High != 5 {
		t.Errorf("low 3: %+v", v.Count)
	}
	v, _ = SetCountPart(v, "low", nil)
	v, _ = SetCountPart(v, "high", nil)
	if !v.IsZero() {
		t.Errorf("a count with no estimate left is a value: %+v", v)
	}
	if _, err := SetCountPart(Value{}, "median", &five); err == nil {
		t.Errorf("an unknown estimate was taken")
	}
}

func TestSetDatePart(t *testing.T) {
	if _, err := SetDatePart(Value{}, "end", "2017-06-30"); err == nil {
		t.Errorf("an end before any start was taken")
	}
	v, err := SetDatePart(Value{}, "start", "2017-06-29")
	if err != nil || v.Date.Precision != "day" {
		t.Fatalf("start: %+v %v", v, err)
	}
	if _, err := SetDatePart(v, "start", "2017-02-30"); err == nil {
		t.Errorf("a date that does not exist was taken")
	}
	v, _ = SetDatePrecision(v, "week")
	v, _ = SetDatePart(v, "end", "2017-07-02")
	if v.Date.Start != "2017-06-29" || v.Date.End != "2017-07-02" || v.Date.Precision != "week" {
		t.Errorf("date: %+v", v.Date)
	}
	if _, err := SetDatePrecision(Value{}, "day"); err == nil {
		t.Errorf("a precision without a date was taken")
	}
	if _, err := SetDatePart(v, "start", ""); err == nil {
		t.Errorf("clearing the start of a date with an end was taken")
	}
	v, _ = SetDatePart(v, "end", "")
	if v, _ := SetDatePart(v, "start", ""); !v.IsZero() {
		t.Errorf("a date without its start is a value: %+v", v)
	}
}

func TestToggleListItem(t *testing.T) {
	same := func(a, b string) bool { return a[:1] == b[:1] } // one entity: same first letter
	if got := ToggleListItem([]string{"a1"}, "b1", same, false); !slices.Equal(got, []string{"a1", "b1"}) {
		t.Errorf("add: %v", got)
	}
	if got := ToggleListItem([]string{"a1", "b1"}, "a2", same, false); !slices.Equal(got, []string{"b1"}) {
		t.Errorf("another mention of a held entity takes it out: %v", got)
	}
	if got := ToggleListItem([]string{"a1"}, "b1", same, true); !slices.Equal(got, []string{"b1"}) {
		t.Errorf("a single list is replaced: %v", got)
	}
}

func ptr(n int) *int { return &n }
