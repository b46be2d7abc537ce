package formats

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/annotate-tool/annotate/internal/model"
)

// roundTrip is one format's export and import of a single annotation.
type roundTrip struct {
	name string
	// plain: the format cannot carry a span that starts or ends at a line
	// break (brat writes one line per span).
	plain   bool
	carries carries
	export  func(t *testing.T, art model.Article, a model.Annotation) []byte
	read    func(t *testing.T, data []byte, art model.Article) []Annotated
}

// reader is the signature every JSON importer shares.
type reader func(string, io.Reader, ImportOptions, func(Annotated) error) ([]RecordError, error)

func readAll(t *testing.T, read reader, opts ImportOptions, data []byte) []Annotated {
	t.Helper()
	var out []Annotated
	bad, err := read("export", bytes.NewReader(data), opts, func(a Annotated) error {
		out = append(out, a)
		return nil
	})
	if err != nil || len(bad) > 0 {
		t.Fatalf("import of the export failed: %v %v\n%s", err, bad, data)
	}
	return out
}

func lines(t *testing.T, v any, err error) []byte {
	t.Helper()
	if err != nil {
		t.Fatalf("export: %v", err)
	}
	var buf bytes.Buffer
	lw := NewLineWriter(&buf)
	if err := lw.Write(v); err != nil {
		t.Fatal(err)
	}
	lw.Flush()
	return buf.Bytes()
}

func roundTrips(s *model.Schema) []roundTrip {
	opts := ImportOptions{Schema: s}
	jsonReader := func(r reader) func(*testing.T, []byte, model.Article) []Annotated {
		return func(t *testing.T, data []byte, _ model.Article) []Annotated {
			return readAll(t, r, opts, data)
		}
	}
	all := carries{claims: true, claimDetails: true, incidents: true, sources: true, notes: true, status: true, entities: true}
	native := all
	native.review = true
	return []roundTrip{
		{
			name: "native", carries: native,
			export: func(t *testing.T, art model.Article, a model.Annotation) []byte {
				v, err := ToNative(art, a)
				return lines(t, v, err)
			},
			read: jsonReader(ReadNative),
		},
		{
			name: "spacy", carries: all,
			export: func(t *testing.T, art model.Article, a model.Annotation) []byte {
				v, err := ToSpacy(art, a, SpacyOptions{Tokens: true})
				return lines(t, v, err)
			},
			read: jsonReader(ReadSpacy),
		},
		{
			name: "doccano", carries: carries{status: true},
			export: func(t *testing.T, art model.Article, a model.Annotation) []byte {
				v, err := ToDoccano(art, a, false)
				return lines(t, v, err)
			},
			read: jsonReader(ReadDoccano),
		},
		{
			name: "doccano --relations", carries: carries{claims: true, claimantSpans: true, status: true, grouping: true},
			export: func(t *testing.T, art model.Article, a model.Annotation) []byte {
				v, err := ToDoccano(art, a, true)
				return lines(t, v, err)
			},
			read: jsonReader(ReadDoccano),
		},
		{
			name: "labelstudio", carries: carries{claims: true, claimantSpans: true, statusDoneOrSkipped: true, grouping: true},
			export: func(t *testing.T, art model.Article, a model.Annotation) []byte {
				var buf bytes.Buffer
				lw := NewLabelStudioWriter(&buf)
				if err := lw.Write(art, []model.Annotation{a}); err != nil {
					t.Fatal(err)
				}
				if err := lw.Close(); err != nil {
					t.Fatal(err)
				}
				return buf.Bytes()
			},
			read: jsonReader(ReadLabelStudio),
		},
		{
			name: "brat", plain: true, carries: carries{claims: true, claimDetails: true, incidents: true, sources: true, entities: true},
			export: func(t *testing.T, art model.Article, a model.Annotation) []byte {
				ann, warnings, err := ToBrat(art, a, s)
				if err != nil || len(warnings) > 0 {
					t.Fatalf("export: %v %v", err, warnings)
				}
				return []byte(ann)
			},
			read: func(t *testing.T, data []byte, art model.Article) []Annotated {
				rec, bad, err := ReadBrat("x.ann", bytes.NewReader(data), "x.txt", art.Text, opts)
				if err != nil || len(bad) > 0 {
					t.Fatalf("import of the export failed: %v %v\n%s", err, bad, data)
				}
				return []Annotated{rec}
			},
		},
	}
}

// TestRoundTrip is the property import(export(x)) == x, for every format,
// as far as the format carries x, on random texts full of emoji, combining
// marks, CJK, Arabic, CRLF and tabs. Every exported span must also satisfy
// Python's text[start:end] == span text.
func TestRoundTrip(t *testing.T) {
	s := model.DefaultSchema()
	for _, rt := range roundTrips(s) {
		t.Run(rt.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(1, uint64(len(rt.name))))
			for i := 0; i < 300; i++ {
				text := randomText(r)
				art := model.Article{ID: model.ArticleID(text), Text: text, Title: "t"}
				a := randomAnnotation(t, r, text, s, rt.plain)
				data := rt.export(t, art, a)
				validUTF8(t, rt.name, data)
				if rt.name != "brat" {
					checkSlices(t, rt.name, data)
				} else {
					checkBratSlices(t, text, string(data))
				}
				recs := rt.read(t, data, art)
				if len(recs) != 1 {
					t.Fatalf("case %d: %d records back, want 1", i, len(recs))
				}
				rec := recs[0]
				if rec.Article.Text != text {
					t.Fatalf("case %d: text changed:\n got %+q\nwant %+q", i, rec.Article.Text, text)
				}
				if rt.name == "spacy" && a.Status == model.StatusSkipped {
					if !rec.Rejected || rec.Annotation != nil {
						t.Errorf("case %d: a skipped annotation exports as answer ignore, which imports as text only", i)
					}
					continue
				}
				if rec.Annotation == nil {
					t.Fatalf("case %d: no annotation back\n%s", i, data)
				}
				if rec.Annotator != "" && rec.Annotator != a.Annotator {
					t.Errorf("case %d: annotator %q, want %q", i, rec.Annotator, a.Annotator)
				}
				// The import gives the mentions the file does not group
				// their entities, as the CLI does; the result must pass
				// the model's rules.
				model.GroupMentions(rec.Annotation, text)
				if errs := model.Validate(rec.Annotation, text, s); len(errs) > 0 {
					t.Fatalf("case %d: the import leaves what Validate refuses: %v\nexport:\n%s", i, errs, data)
				}
				got, want := canon(*rec.Annotation, text, rt.carries), canon(a, text, rt.carries)
				if got != want {
					t.Fatalf("case %d: round trip changed the annotation of %+q\n got %s\nwant %s\nexport:\n%s", i, text, got, want, data)
				}
				if rt.carries.grouping {
					checkGrouping(t, a, *rec.Annotation)
				}
				if c := rt.carries; c.claims && c.claimDetails && c.incidents && c.sources && c.notes && c.status && c.entities && !c.claimantSpans && !c.grouping {
					// Lossless formats keep the IDs too (the review only
					// where it travels: native).
					if !c.review {
						a.Review = nil
					}
					b := *rec.Annotation
					b.ArticleID, b.Annotator, b.Schema, b.NextID, a.NextID = a.ArticleID, a.Annotator, a.Schema, 0, 0
					if got, want := exactJSON(b), exactJSON(a); got != want {
						t.Fatalf("case %d: %s is not lossless\n got %s\nwant %s", i, rt.name, got, want)
					}
				}
			}
		})
	}
}

// exactJSON is an annotation with its IDs, without revision and time.
func exactJSON(a model.Annotation) string {
	a.Rev, a.UpdatedAt = 0, time.Time{}
	a.Entities = sortedSpans(a.Entities)
	data, _ := json.Marshal(a)
	return string(data)
}

// checkBratSlices fails unless every T line's fragments, sliced as Python
// slices code points, give the line's text.
func checkBratSlices(t *testing.T, text, ann string) {
	t.Helper()
	for _, line := range strings.Split(strings.TrimSuffix(ann, "\n"), "\n") {
		if !strings.HasPrefix(line, "T") {
			continue
		}
		fields := strings.SplitN(line, "\t", 3)
		_, offs, _ := strings.Cut(fields[1], " ")
		var parts []string
		for _, frag := range strings.Split(offs, ";") {
			var s, e int
			fmt.Sscan(frag, &s, &e)
			p, ok := pythonSlice(text, s, e)
			if !ok {
				t.Errorf("brat: %q is outside the text", line)
			}
			parts = append(parts, p)
		}
		if got := strings.Join(parts, " "); got != fields[2] {
			t.Errorf("brat: %q selects %q", line, got)
		}
	}
}
