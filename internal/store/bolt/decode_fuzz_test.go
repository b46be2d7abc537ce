package bolt

import (
	"encoding/json"
	"testing"
	"unicode/utf8"

	"github.com/annotate-tool/annotate/internal/model"
)

// FuzzDecodeArticle feeds the article record decoder arbitrary bytes (a
// damaged file can hold anything): it must not panic, and what it decodes
// from a record encodeArticle wrote must be that article. It only calls
// the decoders; nothing is written.
func FuzzDecodeArticle(f *testing.F) {
	for _, text := range []string{"ISIS claimed 53", "😀 سالم\r\n", ""} {
		v, err := encodeArticle(model.Article{ID: model.ArticleID(text), Title: "t", Text: text}, 7)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(v)
	}
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})
	f.Add([]byte{0x02, '{', '}'})
	f.Fuzz(func(t *testing.T, v []byte) {
		a, err := decodeArticle(v)
		if err != nil {
			return
		}
		m, text, err := decodeArticleMeta(v)
		if err != nil {
			t.Fatalf("decodeArticle accepted what decodeArticleMeta refuses: %v", err)
		}
		if string(text) != a.Text || m.ID != a.ID {
			t.Fatalf("the two decoders disagree: %q/%q vs %q/%q", m.ID, text, a.ID, a.Text)
		}
		if !utf8.Valid(text) {
			return // check reports such a record; the decoder only splits it
		}
		v2, err := encodeArticle(a, m.Seq)
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		b, err := decodeArticle(v2)
		if err != nil || b.Text != a.Text || b.ID != a.ID {
			t.Fatalf("round trip changed the record: %v", err)
		}
	})
}

// FuzzDecodeAnnotation decodes annotation records the way the store reads
// them (JSON into model.Annotation) and checks that a decoded annotation
// survives validation against a text without panicking.
func FuzzDecodeAnnotation(f *testing.F) {
	f.Add([]byte(`{"article_id":"x","annotator":"a","entities":[{"id":"e1","start":0,"end":4,"label":"ORG"}]}`), "ISIS said")
	f.Add([]byte(`{"entities":[{"start":5,"end":2}],"claims":[{"cue":{"start":-1,"end":3},"content":[{"start":0,"end":99}]}]}`), "😀ab")
	f.Add([]byte(`{"status":"done","review":{"state":"returned","by":"","comments":[{"text":"","by":"c","replies":[{"text":"x","by":"\u001b","replies":[{}]}]}]}}`), "ISIS said")
	f.Fuzz(func(t *testing.T, v []byte, text string) {
		var a model.Annotation
		if err := json.Unmarshal(v, &a); err != nil {
			return
		}
		if !utf8.ValidString(text) {
			return
		}
		errs := model.Validate(&a, text, model.DefaultSchema())
		for _, s := range a.Entities {
			if model.CheckRange(text, s.Start, s.End) != nil && len(errs) == 0 {
				t.Fatalf("Validate passed span %d-%d outside or inside a character of %q", s.Start, s.End, text)
			}
		}
	})
}
