package formats

import (
	"reflect"
	"strings"
	"testing"

	"github.com/annotate-tool/annotate/internal/model"
)

func intp(n int) *int { return &n }

// TestNativeReadsOldFigure: an export from before claims had a list of
// figures ("figure": {"value", "counts"}) imports as one exact figure, and
// a record with both keeps the old one first.
func TestNativeReadsOldFigure(t *testing.T) {
	text := "ISIS claimed 53 killed and dozens wounded."
	line := func(figures string) string {
		return `{"text":"` + text + `","annotator":"alice","claims":[{"id":"c1","claimant":{"text":"ISIS"},` +
			`"content":[{"start":13,"end":41,"text":"53 killed and dozens wounded"}],"type":"casualties",` + figures + `}]}`
	}
	tests := []struct {
		name, figures string
		want          []model.Figure
	}{
		{"old figure", `"figure":{"value":53,"counts":"killed"}`, []model.Figure{model.ExactFigure(53, "killed")}},
		{"figures", `"figures":[{"counts":"wounded","qualifier":"approximate","low":12,"high":99,"text":"dozens"}]`,
			[]model.Figure{{Counts: "wounded", Qualifier: model.QualifierApproximate, Low: intp(12), High: intp(99), Text: "dozens"}}},
		{"both", `"figure":{"value":53,"counts":"killed"},"figures":[{"counts":"wounded","qualifier":"approximate","low":12,"high":99,"text":"dozens"}]`,
			[]model.Figure{model.ExactFigure(53, "killed"), {Counts: "wounded", Qualifier: model.QualifierApproximate, Low: intp(12), High: intp(99), Text: "dozens"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []Annotated
			bad, err := ReadNative("x.jsonl", strings.NewReader(line(tt.figures)+"\n"), ImportOptions{Schema: model.DefaultSchema()}, func(a Annotated) error {
				got = append(got, a)
				return nil
			})
			if err != nil || len(bad) > 0 || len(got) != 1 || got[0].Annotation == nil {
				t.Fatalf("ReadNative: %v, %v, %d records", err, bad, len(got))
			}
			a := got[0].Annotation
			if !reflect.DeepEqual(a.Claims[0].Figures, tt.want) {
				t.Errorf("figures = %+v, want %+v", a.Claims[0].Figures, tt.want)
			}
			if errs := model.Validate(a, text, model.DefaultSchema()); len(errs) > 0 {
				t.Errorf("imported annotation is not valid: %v", errs)
			}
			// Exported again, it has the list and no old figure.
			rec, err := ToNative(got[0].Article, *a)
			if err != nil {
				t.Fatal(err)
			}
			if rec.Claims[0].Figure != nil || !reflect.DeepEqual(rec.Claims[0].Figures, tt.want) {
				t.Errorf("exported claim = figure %+v, figures %+v", rec.Claims[0].Figure, rec.Claims[0].Figures)
			}
		})
	}
}

// TestBratFigureNotes: each figure is a note a reader understands, and
// notes written by hand or by an older annotate ("figure: 53 killed") come
// back as figures.
func TestBratFigureNotes(t *testing.T) {
	f, err := model.ParseFigure("more than 10,000 killed", []string{"killed"})
	if err != nil {
		t.Fatal(err)
	}
	if note := bratFigureNote(f); !strings.HasPrefix(note, "figure: more than 10,000 killed {") {
		t.Errorf("note = %q", note)
	}
	text := "ISIS claimed 53 killed and dozens wounded."
	ann := "T1\tClaim 13 41\t53 killed and dozens wounded\n" +
		"#1\tAnnotatorNotes T1\tfigure: 53 killed\n" +
		"#2\tAnnotatorNotes T1\tfigure: dozens wounded\n" +
		"#3\tAnnotatorNotes T1\t" + bratFigureNote(f) + "\n" +
		"#4\tAnnotatorNotes T1\tfigure: lots and lots\n"
	rec, bad, err := ReadBrat("x.ann", strings.NewReader(ann), "x.txt", text, ImportOptions{Schema: model.DefaultSchema()})
	if err != nil || len(bad) > 0 || rec.Annotation == nil {
		t.Fatalf("ReadBrat: %v, %v", err, bad)
	}
	c := rec.Annotation.Claims[0]
	want := []model.Figure{
		{Counts: "killed", Value: intp(53), Qualifier: model.QualifierExact, Low: intp(53), High: intp(53), Text: "53"},
		{Counts: "wounded", Qualifier: model.QualifierApproximate, Low: intp(12), High: intp(99), Text: "dozens"},
		f,
	}
	if !reflect.DeepEqual(c.Figures, want) {
		t.Errorf("figures = %+v\nwant %+v", c.Figures, want)
	}
	// A note that is not a figure is kept as a note, not lost.
	if !strings.Contains(rec.Annotation.Notes, "lots and lots") {
		t.Errorf("notes = %q; the unreadable figure note is lost", rec.Annotation.Notes)
	}
}
