package cli_test

import (
	"strings"
	"testing"
	"unicode/utf16"
)

func utf16le(s string, bom bool) []byte {
	var out []byte
	if bom {
		out = append(out, 0xFF, 0xFE)
	}
	for _, u := range utf16.Encode([]rune(s)) {
		out = append(out, byte(u), byte(u>>8))
	}
	return out
}

// TestEncodingAndSchemaHints: a UTF-16 file without a BOM was "binary",
// a UTF-16 JSONL with a BOM "not valid UTF-8" without the hint, and a
// schema cut short "unexpected EOF" without line and column (issue 12,
// defect 7).
func TestEncodingAndSchemaHints(t *testing.T) {
	h := newHarness(t)
	for _, f := range []string{
		h.write("no-bom.txt", utf16le("Title\nISIS fighters entered Velmo.\n", false)),
		h.write("bom.jsonl", utf16le("{\"text\": \"one\"}\n{\"text\": \"two\"}\n", true)),
	} {
		res := h.run("import", f)
		if res.code == 0 || !strings.Contains(res.stderr, "--encoding utf-16") || strings.Count(strings.TrimSpace(res.stderr), "\n") != 0 {
			t.Errorf("import %s: exit %d, stderr %q; want one line suggesting --encoding utf-16", f, res.code, res.stderr)
		}
	}
	bad := h.write("s.json", []byte("{\"name\": \"x\",\n \"labels\": ["))
	res := h.run("--schema", bad, "list")
	if res.code == 0 || !strings.Contains(res.stderr, "s.json:2:") {
		t.Errorf("a schema cut short: exit %d, stderr %q; want file:line:col", res.code, res.stderr)
	}
}
