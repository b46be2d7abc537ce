package formats

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"

	"github.com/annotate-tool/annotate/internal/model"
)

// annotationOf makes an annotation of text with spans given by their text.
func annotationOf(t *testing.T, text string, spans ...string) model.Annotation {
	t.Helper()
	a := model.NewAnnotation(model.ArticleID(text), "ana", "conflict-incidents")
	a.Status = model.StatusDone
	for i := 0; i+1 < len(spans); i += 2 {
		at := strings.Index(text, spans[i])
		if at < 0 {
			t.Fatalf("%q is not in the text", spans[i])
		}
		a.Entities = append(a.Entities, model.Span{ID: a.NewID("e"), Start: at, End: at + len(spans[i]), Label: spans[i+1]})
	}
	model.GroupMentions(&a, text)
	return a
}

func TestSpacyTokens(t *testing.T) {
	text := "🚨 The Harrow Front shelled north-west Velmo.\r\nNo one was hurt."
	art := model.Article{ID: model.ArticleID(text), Text: text}
	a := annotationOf(t, text, "Harrow Front", "ORG", "west Velmo", "GPE", "Velm", "LOC")
	rec, err := ToSpacy(art, a, SpacyOptions{Tokens: true})
	if err != nil {
		t.Fatal(err)
	}
	runes := []rune(text)
	for i, tok := range rec.Tokens {
		if tok.ID != i || string(runes[tok.Start:tok.End]) != tok.Text {
			t.Errorf("token %d %+v does not select its text", i, tok)
		}
	}
	for _, s := range rec.Spans {
		if s.TokenStart == nil || s.TokenEnd == nil {
			t.Fatalf("span %q has no token_start/token_end", s.Text)
		}
		first, last := rec.Tokens[*s.TokenStart], rec.Tokens[*s.TokenEnd]
		if first.Start != s.Start || last.End != s.End {
			t.Errorf("span %q (%d-%d): tokens %d-%d cover %d-%d", s.Text, s.Start, s.End, *s.TokenStart, *s.TokenEnd, first.Start, last.End)
		}
	}
	if !rec.Tokens[1].WS || rec.Tokens[len(rec.Tokens)-1].WS {
		t.Errorf("ws flags wrong: %+v", rec.Tokens)
	}
	// Without --tokens, no tokens and no token fields.
	plain, _ := ToSpacy(art, a, SpacyOptions{})
	data, _ := json.Marshal(plain)
	if bytes.Contains(data, []byte("token")) {
		t.Errorf("tokens without --tokens: %s", data)
	}
}

func TestCoNLL(t *testing.T) {
	text := "The Harrow Front shelled Velmo. Two medics died.\n\nThe Velmo council said so."
	art := model.Article{ID: model.ArticleID(text), Text: text}
	// "Velmo council" overlaps "Velmo" (second): BIO keeps the longer.
	a := annotationOf(t, text, "Harrow Front", "ORG", "Velmo", "GPE", "Two medics", "PER", "Velmo council", "ORG")
	a.Entities = append(a.Entities, model.Span{ID: "e9", Start: strings.LastIndex(text, "Velmo"), End: strings.LastIndex(text, "Velmo") + 5, Label: "GPE"})
	var buf bytes.Buffer
	cw := NewCoNLLWriter(&buf)
	if err := cw.Write(art, a); err != nil {
		t.Fatal(err)
	}
	cw.Flush()
	want := "-DOCSTART-\tO\n\n" +
		"The\tO\nHarrow\tB-ORG\nFront\tI-ORG\nshelled\tO\nVelmo\tB-GPE\n.\tO\n\n" +
		"Two\tB-PER\nmedics\tI-PER\ndied\tO\n.\tO\n\n" +
		"The\tO\nVelmo\tB-ORG\ncouncil\tI-ORG\nsaid\tO\nso\tO\n.\tO\n\n"
	if buf.String() != want {
		t.Errorf("conll:\n%s\nwant:\n%s", buf.String(), want)
	}
	if cw.Dropped != 1 {
		t.Errorf("dropped %d, want the 1 span inside a longer one", cw.Dropped)
	}
}

func TestIncidentTables(t *testing.T) {
	s := model.DefaultSchema()
	text := "ISIS claimed 53 SDF fighters were killed near Raqqa on Thursday; an SDF spokeswoman said the figure was exaggerated."
	art := model.Article{ID: model.ArticleID(text), Text: text, Title: "Clashes near Raqqa", Source: "Wire"}
	a := annotationOf(t, text, "ISIS", "ORG", "SDF fighters", "ORG", "Raqqa", "GPE", "53", "COUNT")
	low, best := 12, 53
	a.Incidents = []model.Incident{
		{ID: "i5", Fields: map[string]model.Value{
			"event_type":         {Text: "Armed clash"},
			"date":               {Date: &model.Date{Start: "2017-07-27", Precision: "day"}},
			"location":           {List: []string{"e3"}},
			"location_precision": {Text: "near"},
			"perpetrators":       {List: []string{"e1"}},
			"targets":            {List: []string{"e2"}},
			"tactics":            {List: []string{"2"}},
			"weapons":            {List: []string{"5", "6"}},
			"killed":             {Count: &model.Count{Low: &low, Best: &best}},
			"notes":              {Text: "Clashes near Raqqa; figures disputed."},
		}, Evidence: map[string][]string{"killed": {"e4"}}},
		{ID: "i6", Fields: map[string]model.Value{"event_type": {Text: "Air/drone strike"}}},
	}
	for _, tt := range []struct {
		set  string
		want map[string][2]string // column -> values of the two rows
	}{
		{"acled", map[string][2]string{
			"event_type": {"Battles", "Explosions/Remote violence"}, "sub_event_type": {"Armed clash", "Air/drone strike"},
			"disorder_type": {"Political violence", "Political violence"}, "event_date": {"2017-07-27", ""}, "year": {"2017", ""},
			"time_precision": {"1", ""}, "actor1": {"ISIS", ""}, "actor2": {"SDF fighters", ""}, "location": {"Raqqa", ""},
			"geo_precision": {"2", ""}, "fatalities": {"12", "0"}, "notes": {"Clashes near Raqqa; figures disputed.", ""},
			"source": {"Wire", "Wire"}, "article_id": {art.ID, art.ID}, "annotator": {"ana", "ana"}, "incident_id": {"i5", "i6"},
			"evidence": {"killed: 53", ""},
		}},
		{"gtd", map[string][2]string{
			"eventid": {"201707270001", "000000000001"}, "iyear": {"2017", ""}, "imonth": {"7", "0"}, "iday": {"27", "0"},
			"attacktype1": {"2", "9"}, "attacktype1_txt": {"Armed Assault", "Unknown"}, "weaptype1": {"5", "13"}, "weaptype2_txt": {"Explosives", ""},
			"gname": {"ISIS", "Unknown"}, "nkill": {"53", ""}, "nwound": {"", ""}, "claimed": {"-9", "-9"}, "vicinity": {"1", "-9"},
			"city": {"Raqqa", ""}, "targtype1": {"20", "20"},
		}},
		{"ucdp", map[string][2]string{
			"id": {"1", "2"}, "side_a": {"ISIS", ""}, "side_b": {"SDF fighters", ""}, "best": {"53", ""}, "low": {"12", ""}, "high": {"", ""},
			"where_prec": {"2", ""}, "date_start": {"2017-07-27", ""}, "date_end": {"2017-07-27", ""}, "date_prec": {"1", ""},
			"source_headline": {"Clashes near Raqqa", "Clashes near Raqqa"},
		}},
	} {
		t.Run(tt.set, func(t *testing.T) {
			var buf bytes.Buffer
			iw, err := NewIncidentWriter(&buf, tt.set, s)
			if err != nil {
				t.Fatal(err)
			}
			if err := iw.Write(art, a); err != nil {
				t.Fatal(err)
			}
			if err := iw.Flush(); err != nil {
				t.Fatal(err)
			}
			rows, err := csv.NewReader(&buf).ReadAll()
			if err != nil {
				t.Fatalf("not a CSV file: %v", err)
			}
			if len(rows) != 3 {
				t.Fatalf("%d rows, want a header and 2", len(rows))
			}
			col := map[string]int{}
			for i, h := range rows[0] {
				col[h] = i
			}
			for name, want := range tt.want {
				i, ok := col[name]
				if !ok {
					t.Errorf("no column %q in %q", name, rows[0])
					continue
				}
				if got := [2]string{rows[1][i], rows[2][i]}; got != want {
					t.Errorf("%s = %q, want %q", name, got, want)
				}
			}
		})
	}
	if _, err := NewIncidentWriter(&bytes.Buffer{}, "icews", s); err == nil {
		t.Error("an unknown column set must be refused")
	}
}

func TestLabelStudioArrayStreams(t *testing.T) {
	var buf bytes.Buffer
	lw := NewLabelStudioWriter(&buf)
	if err := lw.Close(); err != nil {
		t.Fatal(err)
	}
	if buf.String() != "[]\n" {
		t.Errorf("no tasks: %q, want an empty array", buf.String())
	}
	buf.Reset()
	lw = NewLabelStudioWriter(&buf)
	for _, text := range []string{"One.", "Two."} {
		art := model.Article{ID: model.ArticleID(text), Text: text}
		if err := lw.Write(art, []model.Annotation{annotationOf(t, text, text[:3], "ORG")}); err != nil {
			t.Fatal(err)
		}
	}
	lw.Close()
	var tasks []LabelStudioTask
	if err := json.Unmarshal(buf.Bytes(), &tasks); err != nil || len(tasks) != 2 {
		t.Fatalf("not a JSON array of 2 tasks: %v\n%s", err, buf.String())
	}
	if tasks[1].ID != 2 || tasks[1].Annotations[0].CompletedBy != "ana" {
		t.Errorf("task 2: %+v", tasks[1])
	}
}
