package cli_test

import (
	"strings"
	"testing"
)

// TestReviewUsage: review is the screen; its mistakes are one line and
// exit 2 (it was an unknown command before).
func TestReviewUsage(t *testing.T) {
	h := newHarness(t)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"review", "--annotators", "alice"}, `no annotator "alice" in this database`},
		{[]string{"review", "--annotators", "alice,gold"}, "gold is where review writes"},
		{[]string{"review", "extra"}, "takes no arguments"},
		{[]string{"review"}, "needs a terminal"},
	} {
		res := h.run(tt.args...)
		if res.code != 2 || !strings.Contains(res.stderr, tt.want) || strings.Count(strings.TrimSpace(res.stderr), "\n") != 0 {
			t.Errorf("annotate %q: exit %d, stderr %q; want 2 and one line saying %q", tt.args, res.code, res.stderr, tt.want)
		}
	}
}

// TestReviewNamesItsAnnotators: review --annotators names annotators of
// the database: one annotator is reviewed in place (the screen), a
// look-alike is refused with the one meant.
func TestReviewNamesItsAnnotators(t *testing.T) {
	h := newHarness(t)
	h.env["ANNOTATE_ANNOTATOR"] = "alice"
	h.mustRun("import", "--format", "native", h.write("a.jsonl", []byte(nativeLine(sharedText, "alice", "ORG", "Harrow Front"))))
	h.env["ANNOTATE_ANNOTATOR"] = "carol"
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"review", "--annotators", "alice"}, "needs a terminal"},
		{[]string{"review", "--annotators", "Alice"}, "did you mean alice?"},
		{[]string{"review", "--annotators", "alice,bob"}, `no annotator "bob"`},
	} {
		res := h.run(tt.args...)
		if res.code != 2 || !strings.Contains(res.stderr, tt.want) {
			t.Errorf("annotate %q: exit %d, stderr %q; want 2 saying %q", tt.args, res.code, res.stderr, tt.want)
		}
	}
}
