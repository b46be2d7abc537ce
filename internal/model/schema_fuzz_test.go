package model

import (
	"strings"
	"testing"
)

// FuzzParseSchema feeds the schema loader arbitrary bytes: it must never
// panic, every refusal names the file, and a schema it accepts passes its
// own check and holds no name with a control character.
func FuzzParseSchema(f *testing.F) {
	f.Add(DefaultSchemaJSON())
	f.Add([]byte(`{"name":"x","labels":[{"name":"ORG","key":"o"}]}`))
	f.Add([]byte(`{"name":"x","labels":[{"name":"ORG","key":"o"},{"name":"ORG","key":"o"}]}`))
	f.Add([]byte(`{"name":"x","labels":[{"name":"\u001b]0;x\u0007","key":"o"}]}`))
	f.Add([]byte(`{"name":"x"} {}`))
	f.Add([]byte(`{"name":`))
	f.Add([]byte(``))
	f.Add([]byte(`x`))
	f.Add([]byte(`{"name":"x","labels":[],"bogus":1}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseSchema(data, "schema.json")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "schema.json") {
				t.Fatalf("error does not start with the file's name: %v", err)
			}
			return
		}
		if err := s.Check(); err != nil {
			t.Fatalf("accepted schema fails its check: %v", err)
		}
		for _, l := range s.Labels {
			if strings.ContainsFunc(l.Name, UnsafeRune) {
				t.Fatalf("accepted a label name with a control character: %q", l.Name)
			}
		}
	})
}
