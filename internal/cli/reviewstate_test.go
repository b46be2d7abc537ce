package cli_test

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

const thirdText = "Shelling hit the market in Kessa on Tuesday."

// reviewedLine is nativeLine with the status and review given.
func reviewedLine(text, annotator, status, review string) string {
	line := strings.TrimSuffix(nativeLine(text, annotator, "GPE", strings.Fields(text)[len(strings.Fields(text))-3]), "}\n")
	line = strings.Replace(line, `"status":"done"`, `"status":"`+status+`"`, 1)
	if review != "" {
		line += `,"review":` + review
	}
	return line + "}\n"
}

// reviewedFile is a native file of three articles: alice's first
// returned by carol with a comment she answered and bob's accepted by
// dave; alice's second accepted by carol; alice's third not reviewed,
// bob's commented on (no state).
func reviewedFile(h *harness) string {
	returned := `{"state":"returned","by":"carol","at":"2026-03-04T09:12:00Z","seen":{"span 30-35":"d1"},"comments":[` +
		`{"item":"span 30-35","text":"a place: GPE","by":"carol","at":"2026-03-04T09:12:00Z","replies":[{"item":"span 30-35","text":"fixed","by":"alice","at":"2026-03-04T10:00:00Z","replies":[]}]}]}`
	accepted := func(by string) string {
		return `{"state":"accepted","by":"` + by + `","at":"2026-03-05T08:00:00Z","comments":[]}`
	}
	commented := `{"state":"","by":"","at":null,"comments":[{"item":"","text":"the date?","by":"carol","at":"2026-03-04T09:30:00Z","replies":[]}]}`
	return h.write("reviewed.jsonl", []byte(
		reviewedLine(sharedText, "alice", "in_progress", returned)+
			reviewedLine(sharedText, "bob", "done", accepted("dave"))+
			reviewedLine(theirText, "alice", "done", accepted("carol"))+
			reviewedLine(thirdText, "alice", "done", "")+
			reviewedLine(thirdText, "bob", "done", commented)))
}

// TestListShowsReview: list --json gives the review state of the
// annotator's own annotation ("" when none) and every annotator's that
// has one; the table shows it after the status.
func TestListShowsReview(t *testing.T) {
	h := newHarness(t)
	h.mustRun("import", "--format", "native", reviewedFile(h))
	byTitle := map[string]string{sharedText[:12]: "shared", theirText[:12]: "theirs", thirdText[:12]: "third"}
	type entry struct {
		Review  string            `json:"review"`
		Reviews map[string]string `json:"reviews"`
		Title   string            `json:"title"`
	}
	want := map[string]map[string]entry{
		"alice": {
			"shared": {Review: "returned", Reviews: map[string]string{"alice": "returned", "bob": "accepted"}},
			"theirs": {Review: "accepted", Reviews: map[string]string{"alice": "accepted"}},
			"third":  {Review: "", Reviews: map[string]string{}},
		},
		"bob": {
			"shared": {Review: "accepted", Reviews: map[string]string{"alice": "returned", "bob": "accepted"}},
			"theirs": {Review: "", Reviews: map[string]string{"alice": "accepted"}},
			"third":  {Review: "", Reviews: map[string]string{}},
		},
	}
	for who, articles := range want {
		out := h.mustRun("list", "--json", "--annotator", who).stdout
		lines := jsonLines(t, out)
		if len(lines) != 3 {
			t.Fatalf("list --json as %s: %d lines", who, len(lines))
		}
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			var e entry
			if err := json.Unmarshal([]byte(line), &e); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(line, `"review":"`) || !strings.Contains(line, `"reviews":{`) {
				t.Errorf("as %s: a line without review or reviews: %s", who, line)
			}
			name := byTitle[e.Title]
			w := articles[name]
			if e.Review != w.Review || !equalMaps(e.Reviews, w.Reviews) {
				t.Errorf("as %s, article %s: review %q, reviews %v; want %q, %v", who, name, e.Review, e.Reviews, w.Review, w.Reviews)
			}
		}
	}
	out := h.mustRun("list", "--annotator", "alice").stdout
	for _, re := range []string{
		`(?m)^[0-9a-f]{16} +\d+ +in_progress/returned +bob:done/accepted +Harrow Front$`,
		`(?m)^[0-9a-f]{16} +\d+ +done/accepted +Two trucks b$`,
		`(?m)^[0-9a-f]{16} +\d+ +done +bob:done +Shelling hit$`,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("list lacks a line matching %s:\n%s", re, out)
		}
	}
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// TestStatsCountsReviews: stats counts the articles by review state, in
// all and per reviewer, and each annotator's by review state; in text
// and JSON.
func TestStatsCountsReviews(t *testing.T) {
	h := newHarness(t)
	var st struct {
		Annotators map[string]struct {
			Review map[string]int `json:"review"`
		} `json:"annotators"`
		Review struct {
			States    map[string]int            `json:"states"`
			Reviewers map[string]map[string]int `json:"reviewers"`
		} `json:"review"`
	}
	// Before any review: every state there, at 0.
	h.mustRun("import", "--format", "native", h.write("plain.jsonl", []byte(nativeLine(sharedText, "alice", "GPE", "Velmo"))))
	if err := json.Unmarshal([]byte(h.mustRun("stats", "--json").stdout), &st); err != nil {
		t.Fatal(err)
	}
	if !equalCounts(st.Review.States, map[string]int{"returned": 0, "accepted": 0}) || len(st.Review.Reviewers) != 0 ||
		!equalCounts(st.Annotators["alice"].Review, map[string]int{"returned": 0, "accepted": 0}) {
		t.Errorf("stats before any review: %+v", st)
	}
	h = newHarness(t)
	h.mustRun("import", "--format", "native", reviewedFile(h))
	if err := json.Unmarshal([]byte(h.mustRun("stats", "--json").stdout), &st); err != nil {
		t.Fatal(err)
	}
	if want := map[string]int{"returned": 1, "accepted": 2}; !equalCounts(st.Review.States, want) {
		t.Errorf("review states %v, want %v", st.Review.States, want)
	}
	wantBy := map[string]map[string]int{"carol": {"returned": 1, "accepted": 1}, "dave": {"returned": 0, "accepted": 1}}
	if len(st.Review.Reviewers) != len(wantBy) {
		t.Errorf("reviewers %v, want %v", st.Review.Reviewers, wantBy)
	}
	for who, w := range wantBy {
		if !equalCounts(st.Review.Reviewers[who], w) {
			t.Errorf("reviewer %s: %v, want %v", who, st.Review.Reviewers[who], w)
		}
	}
	for who, w := range map[string]map[string]int{"alice": {"returned": 1, "accepted": 1}, "bob": {"returned": 0, "accepted": 1}} {
		if !equalCounts(st.Annotators[who].Review, w) {
			t.Errorf("annotator %s: review %v, want %v", who, st.Annotators[who].Review, w)
		}
	}
	out := h.mustRun("stats").stdout
	if !strings.Contains(out, "\nreview: 1 returned, 2 accepted\n  by carol: 1 returned, 1 accepted\n  by dave: 0 returned, 1 accepted\n") {
		t.Errorf("stats text lacks the review counts:\n%s", out)
	}
}

func equalCounts(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// volatile are the parts of a native line that say when and from where
// a database got it: the time of its last save and the file it was
// imported from.
var volatile = regexp.MustCompile(`"updated_at":"[^"]*"|"imported_from":"[^"]*",?`)

// TestNativeReviewMovesBetweenDatabases: reviews exported in the native
// format, imported into a fresh database and exported again come out
// byte for byte (but for the time of the import and the file imported
// from); check passes on them; and a file with a bad review is refused
// with the record and the field named, nothing stored.
func TestNativeReviewMovesBetweenDatabases(t *testing.T) {
	one := newHarness(t)
	one.mustRun("import", "--format", "native", reviewedFile(one))
	first := one.mustRun("export", "--annotator", "*").stdout
	if n := strings.Count(first, `"review":{`); n != 4 {
		t.Fatalf("the export holds %d reviews, want 4:\n%s", n, first)
	}
	one.mustRun("check")
	two := newHarness(t)
	two.mustRun("import", "--format", "native", two.write("all.jsonl", []byte(first)))
	second := two.mustRun("export", "--annotator", "*").stdout
	if a, b := volatile.ReplaceAllString(first, ""), volatile.ReplaceAllString(second, ""); a != b {
		t.Errorf("native did not move reviews byte for byte:\nfirst:\n%s\nsecond:\n%s", a, b)
	}
	two.mustRun("check")

	bad := newHarness(t)
	file := bad.write("bad.jsonl", []byte(reviewedLine(sharedText, "alice", "done", `{"state":"returned","by":"","at":null,"comments":[]}`)))
	res := bad.run("import", "--format", "native", file)
	if res.code == 0 || !strings.Contains(res.stderr, "bad.jsonl:1") || !strings.Contains(res.stderr, "review.by: a returned review names its reviewer") {
		t.Errorf("import of a returned review without reviewer: exit %d\n%s", res.code, res.stderr)
	}
	if out := bad.mustRun("list", "--json").stdout; out != "" {
		t.Errorf("a refused file stored articles:\n%s", out)
	}
}
