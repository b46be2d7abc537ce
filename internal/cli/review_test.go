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
		{[]string{"review", "--annotators", "alice"}, "needs a terminal"}, // one annotator: reviewed in place
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
