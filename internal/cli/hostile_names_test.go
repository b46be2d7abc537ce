package cli_test

import (
	"strings"
	"testing"
)

// TestNamesWithControlsStayOut: label names with escape sequences, C1
// controls or bidi overrides are refused at the door (--add-labels), file
// and annotator names never reach the terminal raw (issue 12, defect 4:
// "added label ^[]0;PWNED^G^[[2J to the schema" was printed raw).
func TestNamesWithControlsStayOut(t *testing.T) {
	h := newHarness(t)
	evil := "\x1b]0;PWNED\x07\x1b[2J"
	rec := `{"text": "ISIS fighters entered Velmo.", "spans": [{"start": 0, "end": 4, "label": "` + strings.ReplaceAll(strings.ReplaceAll(evil, "\x1b", `\u001b`), "\x07", `\u0007`) + `"}], "answer": "accept"}`
	f := h.write("in\x1b[31m.jsonl", []byte(rec+"\n"))
	res := h.run("import", "--format", "spacy", "--add-labels", "--annotator", "ana", f)
	if res.code == 0 {
		t.Errorf("a label with controls was accepted: %s", res.stdout)
	}
	if !strings.Contains(res.stderr, "control character") {
		t.Errorf("stderr does not say why: %q", res.stderr)
	}
	for _, out := range []string{res.stdout, res.stderr} {
		if strings.ContainsAny(out, "\x1b\x07\u009b\u202e") {
			t.Errorf("raw control reached the terminal: %q", out)
		}
	}
	if schema := h.mustRun("schema").stdout; strings.Contains(schema, "PWNED") {
		t.Errorf("the label reached the schema")
	}
	res = h.run("list", "--annotator", "bob\x1b[2J")
	if res.code != 2 || strings.Contains(res.stderr, "\x1b") {
		t.Errorf("an annotator name with ESC: exit %d, stderr %q", res.code, res.stderr)
	}
}
