package cli_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/annotate-tool/annotate/internal/model"
)

// nativeReferents returns the referents of annotator's native export.
func nativeReferents(t *testing.T, h *harness, annotator string) []map[string]any {
	t.Helper()
	out := h.mustRun("export", "--format", "native", "--annotator", annotator).stdout
	var all []map[string]any
	for _, l := range lines(out) {
		var rec struct {
			Referents []map[string]any `json:"referents"`
		}
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatal(err)
		}
		all = append(all, rec.Referents...)
	}
	return all
}

// TestImportDropsForeignRegistryLinks: a spaCy kb_id "annotate:r9" names a
// registry entry of the database that exported it; imported where r9 is
// something else, or nothing, the link goes (the entity stays).
func TestImportDropsForeignRegistryLinks(t *testing.T) {
	h := newHarness(t)
	text := "ISIS fighters entered Velmo."
	rec := `{"text": "` + text + `", "spans": [{"start": 0, "end": 4, "label": "ORG", "kb_id": "annotate:r9"}], "answer": "accept"}`
	f := h.write("in.jsonl", []byte(rec+"\n"))
	h.mustRun("import", "--format", "spacy", "--annotator", "ana", f)
	refs := nativeReferents(t, h, "ana")
	if len(refs) != 1 || refs[0]["name"] != "ISIS" {
		t.Fatalf("referents %v, want ISIS", refs)
	}
	if r, ok := refs[0]["registry"]; ok {
		t.Errorf("the imported entity keeps the link %v to a registry entry this database does not have", r)
	}
	h.mustRun("check")
}

// TestImportMergeRegroupsMentions: --merge adds the second file's spans;
// their entity ids were the other record's, and must not point nowhere.
func TestImportMergeRegroupsMentions(t *testing.T) {
	h := newHarness(t)
	text := "ISIS fighters entered Velmo; ISIS left."
	first := `{"id": "a", "text": "` + text + `", "entities": [{"id": "e1", "start": 0, "end": 4, "label": "ORG", "text": "ISIS", "entity": "n2"}], "referents": [{"id": "n2", "name": "ISIS", "label": "ORG"}], "annotator": "ana", "status": "in_progress"}`
	second := `{"id": "a", "text": "` + text + `", "entities": [{"id": "e7", "start": 29, "end": 33, "label": "ORG", "text": "ISIS", "entity": "n8"}, {"id": "e9", "start": 22, "end": 27, "label": "GPE", "text": "Velmo", "entity": "n10"}], "referents": [{"id": "n8", "name": "ISIS", "label": "ORG"}, {"id": "n10", "name": "Velmo", "label": "GPE"}], "annotator": "ana", "status": "in_progress"}`
	h.mustRun("import", "--format", "native", h.write("first.jsonl", []byte(first+"\n")))
	h.mustRun("import", "--format", "native", "--merge", h.write("second.jsonl", []byte(second+"\n")))
	res := h.run("check")
	if res.code != 0 {
		t.Fatalf("check after --merge: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	refs := nativeReferents(t, h, "ana")
	var names []string
	for _, r := range refs {
		names = append(names, r["name"].(string))
	}
	if strings.Join(names, ",") != "ISIS,Velmo" {
		t.Errorf("entities after --merge: %v, want ISIS (both mentions) and Velmo", names)
	}
}

// TestFlagsBeforeTheCommand: the screen's flags take a value, so "annotate
// --patterns FILE suggest ID" (and "annotate --suggest-url URL" for the
// screen) do not take the value for the command. Before, the value was
// read as the command ("unknown command").
func TestFlagsBeforeTheCommand(t *testing.T) {
	h := newHarness(t)
	text := "ISIS fighters entered Velmo."
	h.mustRun("import", h.write("a.txt", []byte(text)))
	pats := h.write("p.jsonl", []byte(`{"label": "GPE", "pattern": "Velmo"}`+"\n"))
	res := h.mustRun("--patterns", pats, "suggest", "--json", model.ArticleID(text))
	if !strings.Contains(res.stdout, `"text":"Velmo"`) {
		t.Errorf("suggest after --patterns FILE printed %q", res.stdout)
	}
}
