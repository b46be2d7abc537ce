package formats

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/annotate-tool/annotate/internal/model"
)

// Blank texts and white space at span edges (issue 8): a record whose
// text is only white space is skipped, not an error; a span with white
// space at an edge is trimmed (model.TrimBlank) and noted; a span of white
// space only is an invalid span; an export never writes a blank span.

// readAllowingBad reads data with a JSON reader, returning records and
// bad records.
func readAllowingBad(t *testing.T, read reader, data string, opts ImportOptions) ([]Annotated, []RecordError) {
	t.Helper()
	var recs []Annotated
	bad, err := read("in.jsonl", strings.NewReader(data), opts, func(a Annotated) error {
		recs = append(recs, a)
		return nil
	})
	if err != nil {
		t.Fatalf("%v", err)
	}
	return recs, bad
}

func TestCheckTextCallsWhiteSpaceBlank(t *testing.T) {
	for _, text := range []string{" ", "\t\r\n", "\u00a0\u3000"} {
		err := CheckText([]byte(text))
		if !errors.Is(err, ErrBlank) || strings.Contains(err.Error(), "empty") {
			t.Errorf("CheckText(%q) = %v, want ErrBlank, never \"empty\"", text, err)
		}
	}
	if err := CheckText(nil); err == nil || errors.Is(err, ErrBlank) || !strings.Contains(err.Error(), "empty") {
		t.Errorf("CheckText(\"\") = %v, want empty", err)
	}
	_, err := ReadText("only-space.txt", []byte("  \n\n "))
	if err == nil || !strings.Contains(err.Error(), "blank") || strings.Contains(err.Error(), "empty") {
		t.Errorf("ReadText of white space: %v, want it called blank", err)
	}
}

func TestBlankRecordsAreSkippedNotBad(t *testing.T) {
	tests := []struct {
		name string
		read reader
		data string
	}{
		{"spacy", ReadSpacy, `{"text":"Velmo held","spans":[{"start":0,"end":5,"label":"GPE"}]}` + "\n" + `{"text":" ","spans":[]}` + "\n"},
		{"doccano", ReadDoccano, `{"text":"Velmo held","label":[[0,5,"GPE"]]}` + "\n" + `{"text":"\n\t","label":[]}` + "\n"},
		{"labelstudio", ReadLabelStudio, `[{"data":{"text":"Velmo held"},"annotations":[{"completed_by":"a@x","result":[{"id":"r1","type":"labels","value":{"start":0,"end":5,"text":"Velmo","labels":["GPE"]}}]}]},` +
			`{"data":{"text":"  "},"annotations":[{"completed_by":"a@x","result":[]},{"completed_by":"b@x","result":[]}]}]`},
		{"labelstudio min", ReadLabelStudio, `{"text":"Velmo held","label":[{"start":0,"end":5,"text":"Velmo","labels":["GPE"]}],"annotator":"a@x"}` + "\n" + `{"text":" ","annotator":"a@x"}` + "\n"},
		{"native", ReadNative, `{"text":"Velmo held","annotator":"kim","status":"done","entities":[{"id":"e1","start":0,"end":5,"label":"GPE","text":"Velmo"}]}` + "\n" + `{"text":" ","annotator":"kim","status":"done","entities":[]}` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs, bad := readAllowingBad(t, tt.read, tt.data, ImportOptions{})
			if len(bad) > 0 {
				t.Fatalf("bad records %v: a blank text is not an error in the file", bad)
			}
			var blank, good int
			for _, r := range recs {
				switch {
				case r.Blank:
					blank++
					if r.Annotation != nil || r.Article.Text != "" && strings.TrimSpace(r.Article.Text) != "" {
						t.Errorf("blank record %+v carries something to store", r)
					}
					if !strings.HasSuffix(r.Where, ":2") && !strings.HasSuffix(r.Where, ":1") {
						t.Errorf("blank record at %q, want file:line", r.Where)
					}
				case r.Annotation != nil && len(r.Annotation.Entities) == 1:
					good++
				}
			}
			if blank != 1 || good != 1 {
				t.Errorf("%d blank and %d annotated records, want 1 and 1: %+v", blank, good, recs)
			}
		})
	}
}

func TestProdigyFileWithBlankRecords(t *testing.T) {
	recs, bad := readTestdata(t, ReadSpacy, "prodigy/blank.jsonl", ImportOptions{})
	if len(bad) > 0 {
		t.Fatalf("bad %v, want none", bad)
	}
	var blank []string
	spans := 0
	for _, r := range recs {
		if r.Blank {
			blank = append(blank, filepath.Base(r.Where))
			continue
		}
		if r.Annotation != nil {
			spans += len(r.Annotation.Entities)
		}
	}
	if want := []string{"blank.jsonl:2", "blank.jsonl:4"}; !eq(blank, want) {
		t.Errorf("blank records %q, want %q", blank, want)
	}
	if spans != 4 {
		t.Errorf("%d spans imported, want the 4 of the accepted records", spans)
	}
}

func TestImportTrimsBlankEdges(t *testing.T) {
	s := model.DefaultSchema()
	// "Harrow Front" at 4-16 of the text; the files give 3-16 or 4-17.
	const text = "The Harrow Front said it held Velmo."
	tests := []struct {
		name string
		read reader
		data string
	}{
		{"spacy", ReadSpacy, `{"text":"` + text + `","spans":[{"start":3,"end":16,"label":"ORG","text":" Harrow Front"},{"start":29,"end":35,"label":"GPE"}]}`},
		{"doccano", ReadDoccano, `{"text":"` + text + `","label":[[4,17,"ORG"],[29,35,"GPE"]]}`},
		{"labelstudio", ReadLabelStudio, `[{"data":{"text":"` + text + `"},"annotations":[{"completed_by":"a@x","result":[{"id":"r1","type":"labels","value":{"start":3,"end":17,"text":" Harrow Front ","labels":["ORG"]}},{"id":"r2","type":"labels","value":{"start":29,"end":35,"text":" Velmo","labels":["GPE"]}}]}]}]`},
		{"native", ReadNative, `{"text":"` + text + `","annotator":"kim","status":"done","entities":[{"id":"e1","start":4,"end":17,"label":"ORG","text":"Harrow Front "},{"id":"e2","start":29,"end":35,"label":"GPE","text":" Velmo"}],` +
			`"claims":[{"id":"c1","claimant":{"span":"e1"},"cue":{"start":16,"end":21,"text":" said"},"content":[{"start":21,"end":36,"text":" it held Velmo."}]}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs, bad := readAllowingBad(t, tt.read, tt.data, ImportOptions{Schema: s})
			if len(bad) > 0 || len(recs) != 1 || recs[0].Annotation == nil {
				t.Fatalf("recs %+v bad %v", recs, bad)
			}
			a := recs[0].Annotation
			g := summarize(recs[0])
			if want := []string{"ORG Harrow Front", "GPE Velmo"}; !eq(g.spans, want) {
				t.Errorf("spans %q, want %q (trimmed)", g.spans, want)
			}
			want := 2
			if len(a.Claims) > 0 {
				want = 4
				c := a.Claims[0]
				if text[c.Cue.Start:c.Cue.End] != "said" || text[c.Content[0].Start:c.Content[0].End] != "it held Velmo." {
					t.Errorf("claim cue %q content %q, want them trimmed", text[c.Cue.Start:c.Cue.End], text[c.Content[0].Start:c.Content[0].End])
				}
			}
			if len(recs[0].Trimmed) != want {
				t.Errorf("trimmed notes %q, want %d", recs[0].Trimmed, want)
			}
			for _, n := range recs[0].Trimmed {
				if !strings.Contains(n, "white space") {
					t.Errorf("note %q does not say what was trimmed", n)
				}
			}
			model.GroupMentions(a, text) // as the CLI's import does
			if errs := model.Validate(a, text, s); len(errs) > 0 {
				t.Errorf("the import leaves what Validate refuses: %v", errs)
			}
		})
	}
}

func TestImportRefusesSpansOfWhiteSpaceOnly(t *testing.T) {
	const text = "Velmo  held"
	tests := []struct {
		name string
		read reader
		data string
	}{
		{"spacy", ReadSpacy, `{"text":"` + text + `","spans":[{"start":5,"end":7,"label":"ORG"}]}`},
		{"doccano", ReadDoccano, `{"text":"` + text + `","label":[[5,7,"ORG"]]}`},
		{"labelstudio", ReadLabelStudio, `[{"data":{"text":"` + text + `"},"annotations":[{"completed_by":"a@x","result":[{"id":"r1","type":"labels","value":{"start":5,"end":7,"text":"  ","labels":["ORG"]}}]}]}]`},
		{"native", ReadNative, `{"text":"` + text + `","annotator":"kim","entities":[{"id":"e1","start":5,"end":7,"label":"ORG","text":"  "}]}`},
		{"native cue", ReadNative, `{"text":"` + text + `","annotator":"kim","claims":[{"id":"c1","claimant":{"text":"x"},"cue":{"start":5,"end":6,"text":" "},"content":[{"start":0,"end":5,"text":"Velmo"}]}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, bad := readAllowingBad(t, tt.read, tt.data, ImportOptions{})
			if len(bad) != 1 || !strings.Contains(bad[0].Error(), "only white space") || !strings.HasPrefix(bad[0].Where, "in.jsonl:1") {
				t.Errorf("bad %v, want the record at in.jsonl:1 refused for a span of white space only", bad)
			}
		})
	}
}

// readBratDir reads testdata/brat/NAME.ann with its text.
func readBratDir(t *testing.T, name string) (Annotated, []RecordError) {
	t.Helper()
	base := filepath.Join("testdata", "brat", name)
	text, err := os.ReadFile(base + ".txt")
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(base + ".ann")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rec, bad, err := ReadBrat(base+".ann", f, base+".txt", string(text), ImportOptions{Schema: model.DefaultSchema()})
	if err != nil {
		t.Fatal(err)
	}
	return rec, bad
}

func TestBratBadLinesKeepTheDocument(t *testing.T) {
	rec, bad := readBratDir(t, "badlines/doc")
	var where []string
	for _, b := range bad {
		where = append(where, filepath.Base(b.Where))
	}
	// T2 selects no text; A1, R1 and E1 point at it, #1 at E1.
	if want := []string{"doc.ann:2", "doc.ann:4", "doc.ann:5", "doc.ann:7", "doc.ann:8"}; !eq(where, want) {
		t.Errorf("bad lines %q, want %q: %v", where, want, bad)
	}
	for _, b := range bad[1:] {
		if !strings.Contains(b.Err.Error(), "T2") && !strings.Contains(b.Err.Error(), "E1") {
			t.Errorf("%v does not name the line it depends on", b)
		}
	}
	if rec.Annotation == nil {
		t.Fatal("the document's good spans were dropped with its bad line")
	}
	g := summarize(rec)
	if want := []string{"ORG Kessa Guard", "Attack ambushed", "GPE Tolle", "GPE Brask"}; !eq(g.spans, want) {
		t.Errorf("spans %q, want %q", g.spans, want)
	}
	if !strings.Contains(rec.Annotation.Notes, "near the river") {
		t.Errorf("the note on a good span was lost: %q", rec.Annotation.Notes)
	}
	if strings.Contains(rec.Annotation.Notes, "Negation") || strings.Contains(rec.Annotation.Notes, "Located") {
		t.Errorf("lines pointing at the bad T2 were kept: %q", rec.Annotation.Notes)
	}
}

func TestBratTrimsAndRefusesBlankSpans(t *testing.T) {
	const text = "The Harrow Front said it held Velmo."
	ann := "T1\tORG 3 16\t Harrow Front\nT2\tGPE 29 35\t Velmo\nT3\tPER 21 22\t \nR1\tClaimant Arg1:T3 Arg2:T1\t\n"
	rec, bad, err := ReadBrat("x.ann", strings.NewReader(ann), "x.txt", text, ImportOptions{Schema: model.DefaultSchema()})
	if err != nil {
		t.Fatal(err)
	}
	if len(bad) != 2 || bad[0].Where != "x.ann:3" || !strings.Contains(bad[0].Err.Error(), "only white space") || bad[1].Where != "x.ann:4" {
		t.Errorf("bad %v, want T3 (only white space) at x.ann:3 and R1 that depends on it", bad)
	}
	if rec.Annotation == nil {
		t.Fatal("no annotation")
	}
	if g := summarize(rec); !eq(g.spans, []string{"ORG Harrow Front", "GPE Velmo"}) {
		t.Errorf("spans %q, want them trimmed", g.spans)
	}
	if len(rec.Trimmed) != 2 {
		t.Errorf("trimmed %q, want 2 notes", rec.Trimmed)
	}
}

// blankStored is an annotation as an old database may hold it: a span of
// one space, and one with a space at its end.
func blankStored(t *testing.T) (model.Article, model.Annotation) {
	t.Helper()
	text := "The Harrow Front said it held Velmo."
	art := model.Article{ID: model.ArticleID(text), Text: text}
	a := model.NewAnnotation(art.ID, "kim", "conflict-incidents")
	a.Entities = []model.Span{{ID: "e1", Start: 4, End: 16, Label: "ORG"}, {ID: "e2", Start: 3, End: 4, Label: "ORG"}}
	return art, a
}

func TestExportsRefuseBlankSpans(t *testing.T) {
	art, a := blankStored(t)
	s := model.DefaultSchema()
	edge := a
	edge.Entities = []model.Span{{ID: "e3", Start: 29, End: 36, Label: "GPE"}, {ID: "e4", Start: 28, End: 35, Label: "GPE"}}
	for _, ann := range []model.Annotation{a, edge} {
		exports := map[string]func() error{
			"native":         func() error { _, err := ToNative(art, ann); return err },
			"spacy --tokens": func() error { _, err := ToSpacy(art, ann, SpacyOptions{Tokens: true}); return err },
			"doccano":        func() error { _, err := ToDoccano(art, ann, false); return err },
			"labelstudio":    func() error { _, err := toLabelStudio(art, ann); return err },
			"brat":           func() error { _, _, err := ToBrat(art, ann, s); return err },
		}
		for name, export := range exports {
			err := export()
			if err == nil || !strings.Contains(err.Error(), "white space") || !strings.Contains(err.Error(), art.ID) {
				t.Errorf("%s of spans %v: %v, want it refused naming the article and the white space", name, ann.Entities, err)
			}
		}
	}
}

func TestCoNLLNamesEachSpanLeftOut(t *testing.T) {
	art, a := blankStored(t)
	a.Entities = append(a.Entities, model.Span{ID: "e5", Start: 4, End: 10, Label: "PER"})
	var buf bytes.Buffer
	cw := NewCoNLLWriter(&buf)
	if err := cw.Write(art, a); err != nil {
		t.Fatal(err)
	}
	cw.Flush()
	if len(cw.LeftOut) != 2 {
		t.Fatalf("left out %q, want the blank e2 and e5 inside e1", cw.LeftOut)
	}
	joined := strings.Join(cw.LeftOut, "\n")
	for _, w := range []string{art.ID, `e2 ORG " "`, "blank", `e5 PER "Harrow"`, "overlap"} {
		if !strings.Contains(joined, w) {
			t.Errorf("left out %q lacks %q", cw.LeftOut, w)
		}
	}
}

// TestBratFoldersOnePerAnnotator: annotators "x/y" and "x_y" went to the
// same folder, one overwriting the other (issue 12, defect 6).
func TestBratFoldersOnePerAnnotator(t *testing.T) {
	dir := t.TempDir()
	s := model.DefaultSchema()
	text := "ISIS fighters entered Velmo."
	art := model.Article{ID: model.ArticleID(text), Text: text}
	bw := NewBratWriter(dir, s)
	var anns []model.Annotation
	for _, who := range []string{"x/y", "x_y", "../up", "X_Y"} {
		anns = append(anns, model.NewAnnotation(art.ID, who, s.Name))
	}
	if err := bw.Write(art, anns); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 4 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("folders %q, want one per annotator", names)
	}
	if safeName("x_y") != "x_y" || safeName("x/y") == "x_y" || strings.Contains(safeName("../up"), "/") {
		t.Errorf("safeName: %q %q %q", safeName("x_y"), safeName("x/y"), safeName("../up"))
	}
}
