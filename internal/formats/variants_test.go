package formats

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/annotate-tool/annotate/internal/model"
)

// The files in testdata are our own, written to look like what each tool
// exports in the wild: doccano's web front end counting UTF-16 units and
// its "data" and string id variants, Label Studio's array with several
// annotators and its JSON-min, Prodigy records without token fields or
// answer, brat files with CRLF text, discontinuous spans, events, notes and
// attributes.

// got is one imported record in a comparable form.
type got struct {
	annotator string
	status    model.Status
	spans     []string // "LABEL text"
	claims    []string // "claimant -> content (type)"
}

func summarize(rec Annotated) got {
	g := got{annotator: rec.Annotator}
	a := rec.Annotation
	if a == nil {
		return g
	}
	text := rec.Article.Text
	g.status = a.Status
	for _, s := range sortedSpans(a.Entities) {
		g.spans = append(g.spans, s.Label+" "+text[s.Start:s.End])
	}
	for _, c := range a.Claims {
		who := c.Claimant.Name
		if sp, ok := a.Span(c.Claimant.SpanID); ok {
			who = text[sp.Start:sp.End]
		}
		var parts []string
		for _, r := range c.Content {
			parts = append(parts, text[r.Start:r.End])
		}
		g.claims = append(g.claims, who+" -> "+strings.Join(parts, " + ")+" ("+c.Type+")")
	}
	return g
}

func readTestdata(t *testing.T, read reader, name string, opts ImportOptions) ([]Annotated, []RecordError) {
	t.Helper()
	return readFile(t, read, filepath.Join("testdata", name), opts)
}

// readFile reads a file with one of the JSON readers.
func readFile(t *testing.T, read reader, path string, opts ImportOptions) ([]Annotated, []RecordError) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var recs []Annotated
	bad, err := read(path, f, opts, func(a Annotated) error {
		recs = append(recs, a)
		return nil
	})
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return recs, bad
}

func eq(a, b []string) bool { return strings.Join(a, "\x00") == strings.Join(b, "\x00") }

func TestImportVariants(t *testing.T) {
	s := model.DefaultSchema()
	tests := []struct {
		name string
		read reader
		file string
		want []got
	}{
		{
			name: "doccano sequence labelling, UTF-16 offsets after emoji, text or data, ids as numbers or strings", read: ReadDoccano, file: "doccano/alice.jsonl",
			want: []got{
				{status: model.StatusDone, spans: []string{"ORG Harrow Front", "GPE Velmo", "TIME at dawn", "ORG Velmo council"}},
				{status: model.StatusDone, spans: []string{"PER Two 👩🏽‍⚕️ medics", "ORG Orsin Relief Mission", "FAC Kessa checkpoint"}},
				{}, // no labels: the text only
			},
		},
		{
			name: "doccano relation form, one object over many lines, claims as CLAIM entities", read: ReadDoccano, file: "doccano/relations.json",
			want: []got{{status: model.StatusDone,
				spans:  []string{"PER Local officials", "FAC Pell depot", "ORG Harrow Front"},
				claims: []string{"Local officials -> the 🔥 fire at the Pell depot killed 4 guards (casualties)", "Harrow Front -> denied any role (denial)"}}},
		},
		{
			name: "Label Studio array: completed_by as a number or an object, code point and UTF-16 regions, a cancelled annotation, a task nobody annotated", read: ReadLabelStudio, file: "labelstudio/tasks.json",
			want: []got{
				{annotator: "labelstudio-3", status: model.StatusDone, spans: []string{"PER Residents of 🏘️ Tarn Hollow", "GPE Tarn Hollow", "FAC Corran bridge"},
					claims: []string{"Residents of 🏘️ Tarn Hollow -> 12 people were wounded when a drone hit the Corran bridge (casualties)"}},
				{annotator: "bea@example.org", status: model.StatusDone, spans: []string{"GPE Tarn Hollow", "WEA drone"}},
				{annotator: "labelstudio-5", status: model.StatusSkipped},
				{annotator: "labelstudio-3", status: model.StatusDone, spans: []string{"PER Ödön Varga", "ORG Kessa Guard", "GPE Sal Amir"}},
				{},
			},
		},
		{
			name: "Label Studio JSON-min", read: ReadLabelStudio, file: "labelstudio/min.json",
			want: []got{
				{annotator: "cai@example.org", status: model.StatusDone, spans: []string{"PER Ödön Varga", "ORG Kessa Guard"}},
				{annotator: "labelstudio-3", status: model.StatusDone, spans: []string{"FAC Corran bridge"}},
			},
		},
		{
			name: "Prodigy: no token fields, _session_id and _annotator_id, no answer, reject and ignore", read: ReadSpacy, file: "prodigy/news.jsonl",
			want: []got{
				{annotator: "news-dana", status: model.StatusDone, spans: []string{"ORG Velmo council", "TIME on Friday"}},
				{annotator: "news-eli", status: model.StatusDone, spans: []string{"PER Harrow Front fighters", "ORG Harrow Front", "LOC Sell river", "GPE Oska"}},
				{annotator: "news-dana"}, // reject: the text only
				{},                       // ignore: the text only
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs, bad := readTestdata(t, tt.read, tt.file, ImportOptions{Schema: s})
			if len(bad) > 0 {
				t.Fatalf("bad records: %v", bad)
			}
			if len(recs) != len(tt.want) {
				t.Fatalf("%d records, want %d", len(recs), len(tt.want))
			}
			for i, rec := range recs {
				g, w := summarize(rec), tt.want[i]
				if g.annotator != w.annotator || g.status != w.status || !eq(g.spans, w.spans) || !eq(g.claims, w.claims) {
					t.Errorf("record %d (%s):\n got %+v\nwant %+v", i, rec.Where, g, w)
				}
			}
		})
	}
}

// TestImportKeepsWhatItCannotRepresent: relations between entities, other
// tools' attributes and choices become lines of the annotation's notes.
func TestImportKeepsWhatItCannotRepresent(t *testing.T) {
	s := model.DefaultSchema()
	tests := []struct {
		read       reader
		file       string
		record     int
		wantInNote []string
	}{
		{ReadDoccano, "doccano/relations.json", 0, []string{`relation held_by: "Pell depot"`}},
		{ReadLabelStudio, "labelstudio/tasks.json", 0, []string{`relation located_in: "Corran bridge" [77-90] -> "Tarn Hollow" [16-27]`, `choices confidence: {"start":77,"end":90,"choices":["sure"]}`}},
		{ReadSpacy, "prodigy/news.jsonl", 1, []string{`relation crossed: "Harrow Front" [0-12] -> "Sell river" [34-44]`}},
	}
	for _, tt := range tests {
		recs, _ := readTestdata(t, tt.read, tt.file, ImportOptions{Schema: s})
		notes := recs[tt.record].Annotation.Notes
		for _, w := range tt.wantInNote {
			if !strings.Contains(notes, w) {
				t.Errorf("%s: notes %q lack %q", tt.file, notes, w)
			}
		}
	}
}

func TestImportBrat(t *testing.T) {
	s := model.DefaultSchema()
	read := func(name string) (Annotated, []RecordError) {
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
		rec, bad, err := ReadBrat(base+".ann", f, base+".txt", string(text), ImportOptions{Schema: s})
		if err != nil {
			t.Fatal(err)
		}
		return rec, bad
	}
	t.Run("CRLF text, offsets counting a CRLF as one", func(t *testing.T) {
		rec, bad := read("news/crlf")
		if !strings.Contains(rec.Article.Text, "\r\n") {
			t.Fatal("testdata/brat/news/crlf.txt lost its CRLF line ends: this test needs them")
		}
		if len(bad) > 0 {
			t.Fatal(bad)
		}
		g := summarize(rec)
		wantSpans := []string{"GPE Kessa", "ORG Kessa Guard", "Attack ambushed", "GPE Tolle", "ORG Harrow Front"}
		wantClaims := []string{"Kessa Guard -> said its\r\npatrol ()"}
		if !eq(g.spans, wantSpans) || !eq(g.claims, wantClaims) {
			t.Errorf("got %+v\nwant spans %q claims %q", g, wantSpans, wantClaims)
		}
		if c := rec.Annotation.Claims[0]; c.Credibility != "3" {
			t.Errorf("credibility %q, want 3 (A1)", c.Credibility)
		}
		for _, w := range []string{"E1 Attack, Trigger: T6 Attack \"ambushed\", Place: T3 GPE \"Tolle\", Attacker: T5 ORG \"Harrow Front\"",
			"R2 Located", "A2 Negation, E1 Attack", "#1 AnnotatorNotes, T5 ORG \"Harrow Front\": claimed in a statement online"} {
			if !strings.Contains(rec.Annotation.Notes, w) {
				t.Errorf("notes lack %q:\n%s", w, rec.Annotation.Notes)
			}
		}
		// The equivalence (brat's tutorial calls its type Alias) and the
		// normalisation are entities now, not notes: Kessa and Kessa
		// Guard one entity, of two labels (the label note says so), with
		// the Geonames id.
		for _, w := range []string{"N1", "* Alias"} {
			if strings.Contains(rec.Annotation.Notes, w) {
				t.Errorf("notes keep %q, which became an entity:\n%s", w, rec.Annotation.Notes)
			}
		}
		a := rec.Annotation
		kessa, _ := a.EntityOfSpan(a.Entities[0].ID)
		guard, _ := a.EntityOfSpan(a.Entities[1].ID)
		if kessa.ID == "" || kessa.ID != guard.ID || kessa.Name != "Kessa" || !slices.Equal(kessa.ExternalIDs, []string{"Geonames:000001"}) ||
			!strings.Contains(kessa.LabelNote, "GPE, ORG") {
			t.Errorf("Kessa %+v, Kessa Guard %+v: want one entity named Kessa, external id Geonames:000001, a label note naming GPE, ORG", kessa, guard)
		}
		if errs := model.Validate(a, rec.Article.Text, withTestLabels(s, "Attack")); len(errs) > 0 {
			t.Errorf("the import leaves what Validate refuses: %v", errs)
		}
		// Exported again, the offsets are code points of the text as it is.
		art := rec.Article
		art.ID = model.ArticleID(art.Text)
		ann, _, err := ToBrat(art, *rec.Annotation, s)
		if err != nil {
			t.Fatal(err)
		}
		checkBratSlices(t, art.Text, ann)
	})
	t.Run("discontinuous span with words between", func(t *testing.T) {
		rec, bad := read("news/discontinuous")
		if len(bad) > 0 {
			t.Fatal(bad)
		}
		g := summarize(rec)
		if want := []string{"ORG Orsin", "ORG relief missions", "FAC clinic", "GPE Brask"}; !eq(g.spans, want) {
			t.Errorf("spans %q, want %q", g.spans, want)
		}
		if len(rec.Annotation.Sources) != 1 || rec.Annotation.Sources[0].Reliability != "B" {
			t.Errorf("sources %+v, want the grade B of A1", rec.Annotation.Sources)
		}
	})
	t.Run("empty .ann", func(t *testing.T) {
		rec, bad := read("news/empty")
		if len(bad) > 0 || rec.Annotation != nil {
			t.Errorf("an empty .ann gives the text only, got %+v %v", rec.Annotation, bad)
		}
	})
	t.Run("text that does not match", func(t *testing.T) {
		_, bad := read("mismatch/doc")
		if len(bad) != 1 || !strings.HasSuffix(bad[0].Where, "doc.ann:2") || !strings.Contains(bad[0].Err.Error(), `the text says "Brisk" but the offsets select "Brask"`) {
			t.Errorf("bad %v, want line 2 named with both texts", bad)
		}
	})
}

func TestImportRefusesBadRecords(t *testing.T) {
	tests := []struct {
		read reader
		file string
		want []string // "line: message part"
	}{
		{ReadSpacy, "prodigy/bad.jsonl", []string{`bad.jsonl:2: spans[0] (GPE): span 4-9 is "Velmo" in the text but the file says "Velmo council"`, "bad.jsonl:3: not a JSON object"}},
		{ReadDoccano, "doccano/bad.jsonl", []string{"bad.jsonl:2: span 1-3 ORG: UTF-16 offset 1 falls inside a character"}},
	}
	for _, tt := range tests {
		_, bad := readTestdata(t, tt.read, tt.file, ImportOptions{})
		if len(bad) != len(tt.want) {
			t.Fatalf("%s: %d bad records %v, want %d", tt.file, len(bad), bad, len(tt.want))
		}
		for i, w := range tt.want {
			if !strings.Contains(bad[i].Error(), w) {
				t.Errorf("%s: %q, want it to contain %q", tt.file, bad[i].Error(), w)
			}
		}
	}
}

func TestOffsetsFlagOverridesTheToolsUnit(t *testing.T) {
	text := "🔥 Velmo"
	line := `{"text": "` + text + `", "label": [[2, 7, "GPE"]]}` + "\n"
	recs := readString(t, ReadDoccano, line, ImportOptions{})
	if g := summarize(recs[0]); !eq(g.spans, []string{"GPE Velm"}) || len(recs[0].Trimmed) != 1 {
		t.Errorf("UTF-16 units by default: %q (trimmed %q), want \" Velm\" trimmed to \"Velm\" (2-7 counts the emoji as two units)", g.spans, recs[0].Trimmed)
	}
	recs = readString(t, ReadDoccano, line, ImportOptions{Offsets: CodePoints})
	if g := summarize(recs[0]); !eq(g.spans, []string{"GPE Velmo"}) {
		t.Errorf("--offsets codepoints: %q, want Velmo", g.spans)
	}
}

func readString(t *testing.T, read reader, data string, opts ImportOptions) []Annotated {
	t.Helper()
	var recs []Annotated
	bad, err := read("x", strings.NewReader(data), opts, func(a Annotated) error {
		recs = append(recs, a)
		return nil
	})
	if err != nil || len(bad) > 0 {
		t.Fatalf("%v %v", err, bad)
	}
	return recs
}

func TestLabelMap(t *testing.T) {
	for _, tt := range []struct{ name, data string }{
		{"json", `{"PERSON": "PER", "LOCATION": "GPE", "PRODUCT": ""}`},
		{"lines", "# from=to\nPERSON=PER\nLOCATION\tGPE\nPRODUCT=\n"},
	} {
		m, err := ParseLabelMap(tt.name, []byte(tt.data))
		if err != nil {
			t.Fatal(err)
		}
		line := `{"text": "Ann Lee left Velmo with a Zorb phone.", "spans": [{"start": 0, "end": 7, "label": "PERSON"}, {"start": 13, "end": 18, "label": "LOCATION"}, {"start": 26, "end": 30, "label": "PRODUCT"}]}`
		recs := readString(t, ReadSpacy, line, ImportOptions{LabelMap: m})
		if g := summarize(recs[0]); !eq(g.spans, []string{"PER Ann Lee", "GPE Velmo"}) {
			t.Errorf("%s: %q, want PERSON and LOCATION renamed and PRODUCT dropped", tt.name, g.spans)
		}
	}
	if _, err := ParseLabelMap("m.txt", []byte("PERSON PER\n")); err == nil || !strings.Contains(err.Error(), "m.txt:1") {
		t.Errorf("a line without = or a tab: %v, want an error naming m.txt:1", err)
	}
}

// withTestLabels is the schema with more labels, as import --add-labels
// makes it.
func withTestLabels(s *model.Schema, labels ...string) *model.Schema {
	t := *s
	t.Labels = append([]model.Label(nil), s.Labels...)
	for _, l := range labels {
		t.Labels = append(t.Labels, model.Label{Name: l})
	}
	return &t
}
