package formats

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"

	"github.com/annotate-tool/annotate/internal/model"
)

// The fuzz targets below feed every reader arbitrary bytes. Each asserts
// that the reader does not panic and that whatever it returns is usable:
// every article text is valid UTF-8 and every span, cue and content range
// it gives is a valid range of that text (model.CheckRange). Seed corpora
// are in testdata/fuzz/FuzzX/ besides the seeds added here from the
// format samples in testdata.

// addFiles adds the content of each file matching the globs as a seed.
func addFiles(f *testing.F, globs ...string) {
	f.Helper()
	for _, g := range globs {
		paths, err := filepath.Glob(g)
		if err != nil {
			f.Fatal(err)
		}
		for _, p := range paths {
			data, err := os.ReadFile(p)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
}

// checkArticle asserts an article read from a file can be stored.
func checkArticle(t *testing.T, where string, a model.Article) {
	t.Helper()
	if !utf8.ValidString(a.Text) {
		t.Fatalf("%s: article text is not valid UTF-8: %q", where, a.Text)
	}
}

// checkAnnotated asserts every range of a record lies on character
// boundaries inside its text.
func checkAnnotated(t *testing.T, rec Annotated) {
	t.Helper()
	if rec.Blank {
		return
	}
	checkArticle(t, rec.Where, rec.Article)
	if rec.Annotation == nil {
		return
	}
	text := rec.Article.Text
	check := func(what string, start, end int) {
		t.Helper()
		if err := model.CheckRange(text, start, end); err != nil {
			t.Fatalf("%s: %s: %v (text %q)", rec.Where, what, err, text)
		}
	}
	for _, s := range rec.Annotation.Entities {
		check("entity "+s.ID, s.Start, s.End)
	}
	for _, c := range rec.Annotation.Claims {
		if c.Cue != nil {
			check("cue of claim "+c.ID, c.Cue.Start, c.Cue.End)
		}
		for _, r := range c.Content {
			check("content of claim "+c.ID, r.Start, r.End)
		}
	}
}

// checkRecordErrors asserts a bad record is reported with a place.
func checkRecordErrors(t *testing.T, bad []RecordError) {
	t.Helper()
	for _, e := range bad {
		if e.Where == "" || e.Err == nil {
			t.Fatalf("record error without a place or a reason: %#v", e)
		}
	}
}

var fuzzOpts = ImportOptions{Schema: model.DefaultSchema()}

func FuzzReadText(f *testing.F) {
	addFiles(f, "../cli/testdata/corpus/*.txt", "../cli/testdata/corpus/*/*.txt")
	f.Add([]byte("\xef\xbb\xbfTitle\r\nbody"))
	f.Add([]byte("\xff\xfeT\x00i\x00"))
	f.Add([]byte(" \t\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rec, err := ReadText("in.txt", data)
		if err != nil {
			var re RecordError
			if !errors.As(err, &re) || re.Where == "" {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		checkArticle(t, rec.Where, rec.Article)
		if rec.Article.Text == "" {
			t.Fatal("an empty text was accepted")
		}
	})
}

func FuzzReadJSONL(f *testing.F) {
	addFiles(f, "../cli/testdata/corpus/wires/*.jsonl")
	f.Add([]byte(`{"text":"a","text":"b"}` + "\n" + `{"text":""}`))
	f.Add([]byte(`{"text":"x\u0000y","meta":{"a":[[[[1]]]]}}`))
	f.Add([]byte(`{"text":"\ud83d"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		bad, err := ReadJSONL("in.jsonl", bytes.NewReader(data), func(r Record) error {
			if !r.Blank {
				checkArticle(t, r.Where, r.Article)
			}
			return nil
		})
		_ = err
		checkRecordErrors(t, bad)
	})
}

func FuzzReadCSV(f *testing.F) {
	addFiles(f, "../cli/testdata/columns/*.csv", "../cli/testdata/corpus/wires/deep/er/*.csv")
	f.Add([]byte("text,title\n\"a\r\nb\",t\n\"unterminated"))
	f.Add([]byte("title\nno text column\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		bad, err := ReadCSV("in.csv", bytes.NewReader(data), CSVOptions{TextColumn: "text", TitleColumn: "title"}, func(r Record) error {
			if !r.Blank {
				checkArticle(t, r.Where, r.Article)
			}
			return nil
		})
		_ = err
		checkRecordErrors(t, bad)
	})
}

// annotatedTarget is a fuzz body for a streaming annotated reader.
func annotatedTarget(read func(path string, r *bytes.Reader, opts ImportOptions, fn func(Annotated) error) ([]RecordError, error)) func(*testing.T, []byte) {
	return func(t *testing.T, data []byte) {
		bad, _ := read("in", bytes.NewReader(data), fuzzOpts, func(rec Annotated) error {
			checkAnnotated(t, rec)
			return nil
		})
		checkRecordErrors(t, bad)
	}
}

func FuzzReadNative(f *testing.F) {
	f.Add([]byte(`{"id":"x","text":"ISIS 😀 said","annotations":[{"annotator":"a","entities":[{"id":"e1","start":0,"end":4,"label":"ORG"}]}]}`))
	f.Add([]byte(`{"text":"ab","annotations":[{"annotator":"a","entities":[{"start":1,"end":0,"label":"ORG"}],"claims":[{"content":[{"start":0,"end":9}]}]}]}`))
	f.Add([]byte(`{"text":"ab","annotator":"a","review":{"state":"returned","by":"c","at":null,"seen":{"span 0-1":""},"comments":[{"item":"span 0-1","text":"x","by":"c","at":"2026-03-04T09:12:00Z","replies":[{"replies":[]}]}]}}`))
	f.Add([]byte(`{"text":"ab","review":{"at":"not a time","comments":[{"at":5}]}}`))
	f.Fuzz(annotatedTarget(func(p string, r *bytes.Reader, o ImportOptions, fn func(Annotated) error) ([]RecordError, error) {
		return ReadNative(p, r, o, fn)
	}))
}

func FuzzReadSpacy(f *testing.F) {
	addFiles(f, "testdata/prodigy/*.jsonl")
	f.Add([]byte(`{"text":"😀ab","spans":[{"start":0,"end":1,"label":"ORG"},{"start":-1,"end":99,"label":"X"}]}`))
	// A review record (versions with their sessions) and an entity
	// linking record (the choice view).
	f.Add([]byte(`{"text":"😀ab cd","spans":[{"start":0,"end":1,"label":"ORG"}],"versions":[{"spans":[{"start":2,"end":3,"label":"ORG","kb_id":"Q1"}],"sessions":["d-a",null]},{"text":"😀ab cd","sessions":[],"_session_id":"d-b"}],"_timestamp":1.5}`))
	f.Add([]byte(`{"text":"😀ab cd","spans":[{"start":1,"end":3,"label":"PER"}],"options":[{"id":"Q1"},{"id":"NIL_otherLink"}],"accept":["Q1",7,"NIL"]}`))
	f.Fuzz(annotatedTarget(func(p string, r *bytes.Reader, o ImportOptions, fn func(Annotated) error) ([]RecordError, error) {
		return ReadSpacy(p, r, o, fn)
	}))
}

func FuzzReadDoccano(f *testing.F) {
	addFiles(f, "testdata/doccano/*")
	f.Add([]byte(`{"text":"😀ab","label":[[0,1,"ORG"],[2,1,"X"],[0,9999999999999999999,"Y"]]}`))
	f.Fuzz(annotatedTarget(func(p string, r *bytes.Reader, o ImportOptions, fn func(Annotated) error) ([]RecordError, error) {
		return ReadDoccano(p, r, o, fn)
	}))
}

func FuzzReadLabelStudio(f *testing.F) {
	addFiles(f, "testdata/labelstudio/*.json")
	f.Add([]byte(`[{"data":{"text":"😀ab"},"annotations":[{"result":[{"type":"labels","value":{"start":1,"end":2,"labels":["ORG"]}}]}]}]`))
	f.Fuzz(annotatedTarget(func(p string, r *bytes.Reader, o ImportOptions, fn func(Annotated) error) ([]RecordError, error) {
		return ReadLabelStudio(p, r, o, fn)
	}))
}

func FuzzReadBrat(f *testing.F) {
	for _, name := range []string{"news/crlf", "news/discontinuous", "mismatch/doc", "badlines/doc"} {
		ann, err := os.ReadFile("testdata/brat/" + name + ".ann")
		if err != nil {
			f.Fatal(err)
		}
		txt, err := os.ReadFile("testdata/brat/" + name + ".txt")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(ann, string(txt))
	}
	f.Add([]byte("T1\tORG 0 2;1 3\t😀\n"), "😀 ab")
	f.Add([]byte("T1\tORG 3 1\tx\nT2\tORG 0 99999999999999999999\tx\n"), "abc")
	f.Fuzz(func(t *testing.T, ann []byte, text string) {
		if !utf8.ValidString(text) {
			t.Skip("the .txt is checked as UTF-8 before brat reads it")
		}
		rec, bad, err := ReadBrat("in.ann", bytes.NewReader(ann), "in.txt", text, fuzzOpts)
		checkRecordErrors(t, bad)
		if err != nil {
			return
		}
		if rec.Where == "" {
			rec.Where = "in.ann"
		}
		checkAnnotated(t, rec)
	})
}

func FuzzParseLabelMap(f *testing.F) {
	f.Add([]byte(`{"PER":"PERSON","X":""}`))
	f.Add([]byte("# comment\nPER=PERSON\nGPE\tLOC\n\xef\xbb\xbfA=B"))
	f.Add([]byte("=nothing\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := ParseLabelMap("map.txt", data)
		if err != nil && !bytes.Contains([]byte(err.Error()), []byte("map.txt")) {
			t.Fatalf("error does not name the file: %v", err)
		}
	})
}
