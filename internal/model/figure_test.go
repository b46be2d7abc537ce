package model

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

var testCounts = []string{"killed", "wounded", "kidnapped", "vehicles destroyed", "other"}

func TestParseFigure(t *testing.T) {
	tests := []struct {
		in   string
		want Figure
	}{
		{"53", Figure{Value: intp(53), Qualifier: QualifierExact, Low: intp(53), High: intp(53), Text: "53"}},
		{"53 killed", Figure{Counts: "killed", Value: intp(53), Qualifier: QualifierExact, Low: intp(53), High: intp(53), Text: "53"}},
		{"10,000", Figure{Value: intp(10000), Qualifier: QualifierExact, Low: intp(10000), High: intp(10000), Text: "10,000"}},
		{"10 000", Figure{Value: intp(10000), Qualifier: QualifierExact, Low: intp(10000), High: intp(10000), Text: "10 000"}},
		{"10\u00a0000", Figure{Value: intp(10000), Qualifier: QualifierExact, Low: intp(10000), High: intp(10000), Text: "10 000"}},
		{"1,234,567", Figure{Value: intp(1234567), Qualifier: QualifierExact, Low: intp(1234567), High: intp(1234567), Text: "1,234,567"}},
		{"more than 10,000 killed", Figure{Counts: "killed", Value: intp(10000), Qualifier: QualifierMoreThan, Low: intp(10001), Text: "more than 10,000"}},
		{"over 100", Figure{Value: intp(100), Qualifier: QualifierMoreThan, Low: intp(101), Text: "over 100"}},
		{"At least 45,000", Figure{Value: intp(45000), Qualifier: QualifierAtLeast, Low: intp(45000), Text: "At least 45,000"}},
		{"no fewer than 7 wounded", Figure{Counts: "wounded", Value: intp(7), Qualifier: QualifierAtLeast, Low: intp(7), Text: "no fewer than 7"}},
		{"at most 5", Figure{Value: intp(5), Qualifier: QualifierAtMost, High: intp(5), Text: "at most 5"}},
		{"up to 30 kidnapped", Figure{Counts: "kidnapped", Value: intp(30), Qualifier: QualifierAtMost, High: intp(30), Text: "up to 30"}},
		{"nearly 90", Figure{Value: intp(90), Qualifier: QualifierAtMost, High: intp(90), Text: "nearly 90"}},
		{"almost 90", Figure{Value: intp(90), Qualifier: QualifierAtMost, High: intp(90), Text: "almost 90"}},
		{"fewer than 10", Figure{Value: intp(10), Qualifier: QualifierFewerThan, High: intp(9), Text: "fewer than 10"}},
		{"less than 10", Figure{Value: intp(10), Qualifier: QualifierFewerThan, High: intp(9), Text: "less than 10"}},
		{"under 10", Figure{Value: intp(10), Qualifier: QualifierFewerThan, High: intp(9), Text: "under 10"}},
		{"about 50", Figure{Value: intp(50), Qualifier: QualifierAbout, Text: "about 50"}},
		{"around 50", Figure{Value: intp(50), Qualifier: QualifierAbout, Text: "around 50"}},
		{"approximately 50", Figure{Value: intp(50), Qualifier: QualifierAbout, Text: "approximately 50"}},
		{"some 50", Figure{Value: intp(50), Qualifier: QualifierAbout, Text: "some 50"}},
		{"roughly 50", Figure{Value: intp(50), Qualifier: QualifierAbout, Text: "roughly 50"}},
		{"two vehicles destroyed", Figure{Counts: "vehicles destroyed", Value: intp(2), Qualifier: QualifierExact, Low: intp(2), High: intp(2), Text: "two"}},
		{"Twenty", Figure{Value: intp(20), Qualifier: QualifierExact, Low: intp(20), High: intp(20), Text: "Twenty"}},
		{"zero", Figure{Value: intp(0), Qualifier: QualifierExact, Low: intp(0), High: intp(0), Text: "zero"}},
		{"more than twelve", Figure{Value: intp(12), Qualifier: QualifierMoreThan, Low: intp(13), Text: "more than twelve"}},
		{"a dozen", Figure{Value: intp(12), Qualifier: QualifierAbout, Text: "a dozen"}},
		{"more than a dozen killed", Figure{Counts: "killed", Value: intp(12), Qualifier: QualifierMoreThan, Low: intp(13), Text: "more than a dozen"}},
		{"several", Figure{Qualifier: QualifierApproximate, Low: intp(3), High: intp(9), Text: "several"}},
		{"a few", Figure{Qualifier: QualifierApproximate, Low: intp(2), High: intp(9), Text: "a few"}},
		{"dozens wounded", Figure{Counts: "wounded", Qualifier: QualifierApproximate, Low: intp(12), High: intp(99), Text: "dozens"}},
		{"scores", Figure{Qualifier: QualifierApproximate, Low: intp(20), High: intp(199), Text: "scores"}},
		{"Hundreds", Figure{Qualifier: QualifierApproximate, Low: intp(100), High: intp(999), Text: "Hundreds"}},
		{"thousands", Figure{Qualifier: QualifierApproximate, Low: intp(1000), High: intp(9999), Text: "thousands"}},
		{"tens of thousands killed", Figure{Counts: "killed", Qualifier: QualifierApproximate, Low: intp(10000), High: intp(99999), Text: "tens of thousands"}},
		{"  53   killed ", Figure{Counts: "killed", Value: intp(53), Qualifier: QualifierExact, Low: intp(53), High: intp(53), Text: "53"}},
		{"53 KILLED", Figure{Counts: "killed", Value: intp(53), Qualifier: QualifierExact, Low: intp(53), High: intp(53), Text: "53"}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseFigure(tt.in, testCounts)
			if err != nil {
				t.Fatalf("ParseFigure(%q): %v", tt.in, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseFigure(%q)\n got %s\nwant %s", tt.in, dump(got), dump(tt.want))
			}
			if err := CheckFigure(got); err != nil {
				t.Errorf("ParseFigure(%q) gave a figure CheckFigure refuses: %v", tt.in, err)
			}
		})
	}
}

func dump(f Figure) string {
	p := func(n *int) string {
		if n == nil {
			return "nil"
		}
		return fmt.Sprint(*n)
	}
	return fmt.Sprintf("{counts %q value %s qualifier %q low %s high %s text %q}", f.Counts, p(f.Value), f.Qualifier, p(f.Low), p(f.High), f.Text)
}

func TestParseFigureRefuses(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "empty"},
		{"ten thousand-ish", "“ten thousand-ish” is not a figure: write a number such as 10,000"},
		{"10.000", "ambiguous"},
		{"1.5", "whole number"},
		{"-5", "not a figure"},
		{"10,00", "not a figure"},
		{"1,0000", "not a figure"},
		{"more than", "not a figure"},
		{"more than dozens", "dozens"},
		{"53 armored vehicles", "armored vehicles"},
		{"fewer than 0", "fewer than 0"},
		{"99999999999999999999", "too large"},
		{"killed", "not a figure"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			f, err := ParseFigure(tt.in, testCounts)
			if err == nil {
				t.Fatalf("ParseFigure(%q) = %s, want an error", tt.in, dump(f))
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseFigure(%q) error %q does not contain %q", tt.in, err, tt.want)
			}
			if strings.Count(err.Error(), "\n") > 0 {
				t.Errorf("error is more than one line: %q", err)
			}
		})
	}
}

// TestParseFigureProperties parses random figures written as a reporter
// would and checks the value, the qualifier, the bounds and that Describe
// reads back as the same figure.
func TestParseFigureProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	phrases := map[string]string{
		"": QualifierExact, "more than": QualifierMoreThan, "over": QualifierMoreThan,
		"at least": QualifierAtLeast, "no fewer than": QualifierAtLeast, "at most": QualifierAtMost,
		"up to": QualifierAtMost, "fewer than": QualifierFewerThan, "less than": QualifierFewerThan,
		"under": QualifierFewerThan, "nearly": QualifierAtMost, "almost": QualifierAtMost,
		"about": QualifierAbout, "around": QualifierAbout, "approximately": QualifierAbout,
		"some": QualifierAbout, "roughly": QualifierAbout,
	}
	var keys []string
	for k := range phrases {
		keys = append(keys, k)
	}
	for i := 0; i < 2000; i++ {
		n := r.IntN(2_000_000) + 1
		if r.IntN(3) == 0 {
			n = r.IntN(30) + 1
		}
		digits := groupDigits(n, []string{",", " ", ""}[r.IntN(3)])
		phrase := keys[r.IntN(len(keys))]
		counts := ""
		s := digits
		if phrase != "" {
			s = phrase + " " + s
		}
		if r.IntN(2) == 0 {
			counts = testCounts[r.IntN(len(testCounts))]
			s += " " + counts
		}
		f, err := ParseFigure(s, testCounts)
		if err != nil {
			t.Fatalf("ParseFigure(%q): %v", s, err)
		}
		if f.Value == nil || *f.Value != n || f.Qualifier != phrases[phrase] || f.Counts != counts {
			t.Fatalf("ParseFigure(%q) = %s", s, dump(f))
		}
		if err := CheckFigure(f); err != nil {
			t.Fatalf("ParseFigure(%q) = %s, refused by CheckFigure: %v", s, dump(f), err)
		}
		if f.Low != nil && f.High != nil && *f.Low > *f.High {
			t.Fatalf("ParseFigure(%q): low above high", s)
		}
		// Described in annotate's own words (without the text as written),
		// it reads back as the same figure.
		f.Text = ""
		back, err := ParseFigure(f.Describe(), testCounts)
		if err != nil {
			t.Fatalf("ParseFigure(Describe() = %q): %v", f.Describe(), err)
		}
		back.Text = ""
		if !reflect.DeepEqual(back, f) {
			t.Fatalf("%q read back from Describe %q as %s, want %s", s, back.Describe(), dump(back), dump(f))
		}
	}
}

func groupDigits(n int, sep string) string {
	s := fmt.Sprint(n)
	if sep == "" {
		return s
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(c)
	}
	return b.String()
}

func TestFigureDescribe(t *testing.T) {
	tests := []struct{ in, want string }{
		{"53 killed", "53 killed"},
		{"more than 10,000 killed", "more than 10,000 killed"},
		{"over 10000 killed", "over 10000 (≥10,001) killed"},
		{"dozens wounded", "dozens (≥12) wounded"},
		{"nearly 90", "nearly 90 (≤90)"},
		{"at least 45,000", "at least 45,000"},
		{"two vehicles destroyed", "two (2) vehicles destroyed"},
		{"a dozen", "a dozen (about 12)"},
	}
	for _, tt := range tests {
		f, err := ParseFigure(tt.in, testCounts)
		if err != nil {
			t.Fatal(err)
		}
		if got := f.Describe(); got != tt.want {
			t.Errorf("Describe of %q = %q, want %q", tt.in, got, tt.want)
		}
	}
	// Without the text as written (an old figure, a figure from another tool)
	// the qualifier is spelled out.
	for _, tt := range []struct {
		f    Figure
		want string
	}{
		{ExactFigure(53, "killed"), "53 killed"},
		{Figure{Counts: "killed", Value: intp(10000), Qualifier: QualifierMoreThan, Low: intp(10001)}, "more than 10,000 killed"},
		{Figure{Counts: "wounded", Qualifier: QualifierApproximate, Low: intp(12), High: intp(99)}, "approximately 12–99 wounded"},
		{Figure{Value: intp(9), Qualifier: QualifierFewerThan, High: intp(8)}, "fewer than 9"},
	} {
		if got := tt.f.Describe(); got != tt.want {
			t.Errorf("Describe of %s = %q, want %q", dump(tt.f), got, tt.want)
		}
	}
}

func TestCheckFigure(t *testing.T) {
	tests := []struct {
		name string
		f    Figure
		want string
	}{
		{"unknown qualifier", Figure{Value: intp(3), Qualifier: "roughly", Low: intp(3), High: intp(3)}, `unknown qualifier "roughly"`},
		{"no qualifier", Figure{Value: intp(3), Low: intp(3), High: intp(3)}, "unknown qualifier"},
		{"negative value", Figure{Value: intp(-3), Qualifier: QualifierExact, Low: intp(-3), High: intp(-3)}, "negative"},
		{"low above high", Figure{Qualifier: QualifierApproximate, Low: intp(30), High: intp(12)}, "low 30 is above high 12"},
		{"exact without value", Figure{Qualifier: QualifierExact, Low: intp(3), High: intp(3)}, "needs its number"},
		{"exact with other bounds", Figure{Value: intp(3), Qualifier: QualifierExact, Low: intp(2), High: intp(3)}, "exact 3"},
		{"more than with low = value", Figure{Value: intp(3), Qualifier: QualifierMoreThan, Low: intp(3)}, "more than 3"},
		{"at least with a high", Figure{Value: intp(3), Qualifier: QualifierAtLeast, Low: intp(3), High: intp(9)}, "at least 3"},
		{"at most with a low", Figure{Value: intp(3), Qualifier: QualifierAtMost, Low: intp(1), High: intp(3)}, "at most 3"},
		{"fewer than 0", Figure{Value: intp(0), Qualifier: QualifierFewerThan}, "fewer than 0"},
		{"about outside its bounds", Figure{Value: intp(50), Qualifier: QualifierAbout, Low: intp(60)}, "about 50"},
		{"approximate with a value", Figure{Value: intp(12), Qualifier: QualifierApproximate, Low: intp(12)}, "no number"},
		{"approximate without low", Figure{Qualifier: QualifierApproximate, High: intp(99)}, "smallest number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckFigure(tt.f)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("CheckFigure(%s) = %v, want an error containing %q", dump(tt.f), err, tt.want)
			}
		})
	}
	for _, f := range []Figure{
		ExactFigure(0, "killed"),
		{Value: intp(50), Qualifier: QualifierAbout, Low: intp(40), High: intp(60)},
		{Qualifier: QualifierApproximate, Low: intp(12)},
	} {
		if err := CheckFigure(f); err != nil {
			t.Errorf("CheckFigure(%s) = %v, want nil", dump(f), err)
		}
	}
}

func TestFigureCountBounds(t *testing.T) {
	p := func(n *int) string {
		if n == nil {
			return "?"
		}
		return fmt.Sprint(*n)
	}
	tests := []struct{ in, want string }{
		{"53", "?/53/?"},
		{"more than 10,000", "10001/?/?"},
		{"at least 45,000", "45000/?/?"},
		{"at most 30", "?/?/30"},
		{"fewer than 30", "?/?/29"},
		{"nearly 90", "?/?/90"},
		{"about 50", "?/50/?"},
		{"dozens", "12/?/?"},
		{"a dozen", "?/12/?"},
	}
	for _, tt := range tests {
		f, err := ParseFigure(tt.in, testCounts)
		if err != nil {
			t.Fatal(err)
		}
		low, best, high := f.CountBounds()
		if got := p(low) + "/" + p(best) + "/" + p(high); got != tt.want {
			t.Errorf("CountBounds of %q = %s, want %s", tt.in, got, tt.want)
		}
		c := Count{Low: low, Best: best, High: high}
		if err := CheckCount(c); err != nil {
			t.Errorf("CountBounds of %q is not a valid count: %v", tt.in, err)
		}
		// The pointers are the caller's: changing them leaves the figure alone.
		for _, q := range []*int{low, best, high} {
			if q != nil {
				*q = -1
			}
		}
		if again, _ := ParseFigure(tt.in, testCounts); !reflect.DeepEqual(again, f) {
			t.Errorf("changing CountBounds' result changed the figure %q", tt.in)
		}
	}
}

// TestFieldCounts: which incident fields take figures, and which figures
// fit them. Before, the screen offered every figure to every count row
// ("2 vehicles destroyed" into Killed) and none to Kidnapped, a number.
func TestFieldCounts(t *testing.T) {
	s := DefaultSchema()
	tests := []struct {
		field, code  string
		counts, take bool
	}{
		{"killed", "killed", true, true},
		{"wounded", "wounded", true, true},
		{"kidnapped", "kidnapped", true, true}, // a number field
		{"notes", "", false, false},
		{"date", "", false, false},
		{"no_such_field", "", false, false},
	}
	for _, tt := range tests {
		code, ok := s.FieldCounts(tt.field)
		if code != tt.code || ok != tt.counts {
			t.Errorf("FieldCounts(%q) = %q, %v; want %q, %v", tt.field, code, ok, tt.code, tt.counts)
		}
		if got := s.TakesFigures(tt.field); got != tt.take {
			t.Errorf("TakesFigures(%q) = %v, want %v", tt.field, got, tt.take)
		}
	}
	// A field named with "_" counts the code written with a space; a
	// number field named after nothing figures count takes none; a count
	// field always can (its figures then all count something else).
	s.Fields = append(s.Fields,
		Field{Name: "vehicles_destroyed", Type: FieldNumber},
		Field{Name: "age", Type: FieldNumber},
		Field{Name: "displaced", Type: FieldCount})
	if code, ok := s.FieldCounts("vehicles_destroyed"); !ok || code != "vehicles destroyed" {
		t.Errorf("FieldCounts(vehicles_destroyed) = %q, %v; want the code vehicles destroyed", code, ok)
	}
	if s.TakesFigures("age") {
		t.Error("a number field counting nothing figures count takes figures")
	}
	if _, ok := s.FieldCounts("displaced"); ok || !s.TakesFigures("displaced") {
		t.Error("a count field outside figure_counts: want no code, but figures on request")
	}
	two, _ := ParseFigure("2 vehicles destroyed", testCounts)
	if two.CountsAs("killed") || !two.CountsAs("vehicles_destroyed") || !two.CountsAs("Vehicles Destroyed") {
		t.Errorf("2 vehicles destroyed: CountsAs killed %v, vehicles_destroyed %v", two.CountsAs("killed"), two.CountsAs("vehicles_destroyed"))
	}
	if (Figure{}).CountsAs("") {
		t.Error("a figure counting nothing fits a field counting nothing")
	}
	if got := (&Schema{}).FigureCounts(); len(got) == 0 {
		t.Error("a schema without figure_counts has nothing for figures to count")
	}
}

// TestFigureNumber: a single number from a figure, and which bound it is.
func TestFigureNumber(t *testing.T) {
	tests := []struct{ in, want, bound string }{
		{"53", "53", "best"},
		{"about 50", "50", "best"},
		{"dozens", "12", "low"},
		{"more than 10,000", "10001", "low"},
		{"at most 30", "30", "high"},
		{"fewer than 30", "29", "high"},
	}
	for _, tt := range tests {
		f, err := ParseFigure(tt.in, testCounts)
		if err != nil {
			t.Fatal(err)
		}
		n, bound := f.Number()
		if n == nil || fmt.Sprint(*n) != tt.want || bound != tt.bound {
			t.Errorf("Number of %q = %v %q, want %s %q", tt.in, n, bound, tt.want, tt.bound)
		}
	}
	if n, bound := (Figure{Qualifier: QualifierApproximate}).Number(); n != nil || bound != "" {
		t.Errorf("a figure with no bounds gives %v %q", n, bound)
	}
}
