package suggest

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/annotate-tool/annotate/internal/model"
)

// FuzzReadPatterns feeds the patterns reader arbitrary bytes and matches
// what it accepts against a text: nothing may panic, a refusal names the
// file, and every suggestion is a valid range of the text.
func FuzzReadPatterns(f *testing.F) {
	f.Add([]byte(`{"label":"ORG","pattern":"Islamic State","id":"wikidata:Q2429253"}`), "The Islamic State said")
	f.Add([]byte(`{"label":"ORG","pattern":[{"LOWER":"isis"}]}`+"\n"+`{"label":"GPE","pattern":[{"ORTH":"😀"},{"TEXT":"é"}]}`), "ISIS 😀 é isis")
	f.Add([]byte("\xef\xbb\xbf{\"label\":\"X\",\"pattern\":\"\"}\n\n"), "")
	f.Add([]byte(`{"label":"X","pattern":[{"OP":"+"}]}`), "a")
	f.Fuzz(func(t *testing.T, data []byte, text string) {
		pats, err := ReadPatterns(bytes.NewReader(data), "p.jsonl")
		if err != nil {
			if !strings.Contains(err.Error(), "p.jsonl") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		if !utf8.ValidString(text) {
			return
		}
		for _, s := range FromPatterns(text, pats) {
			if err := model.CheckRange(text, s.Start, s.End); err != nil {
				t.Fatalf("suggestion %q %d-%d: %v (text %q)", s.Label, s.Start, s.End, err, text)
			}
		}
	})
}
