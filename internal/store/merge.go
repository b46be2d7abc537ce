package store

import (
	"encoding/json"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/annotate-tool/annotate/internal/model"
)

// Prefer says what bringing in another database's (or file's) annotation
// does when the same annotator already has a different one of the article.
type Prefer string

// The conflict policies.
const (
	// PreferBoth keeps both: the incoming annotation goes under the
	// annotator's name marked with where it came from (ConflictName).
	PreferBoth Prefer = ""
	// PreferOurs keeps the stored annotation and leaves the incoming one.
	PreferOurs Prefer = "ours"
	// PreferTheirs saves the incoming annotation over the stored one, as a
	// new revision its annotator can undo.
	PreferTheirs Prefer = "theirs"
)

// ParsePrefer reads a --prefer value: "ours", "theirs", or "" (keep both).
func ParsePrefer(s string) (Prefer, bool) {
	switch Prefer(s) {
	case PreferBoth, PreferOurs, PreferTheirs:
		return Prefer(s), true
	}
	return "", false
}

// MergeOptions tune a merge of another database into this one.
type MergeOptions struct {
	// Source names the other database in conflicting annotators' names
	// (alice@Source) and in the history: SourceName of its path.
	Source string
	Prefer Prefer
	// Who is the person merging, recorded with the registry entries added.
	Who string
}

// MergeConflict is an annotation the same annotator has in both databases,
// differently.
type MergeConflict struct {
	ArticleID, Title, Annotator string
	// KeptAs is the annotator name the incoming version was stored under
	// ("alice@other"); "" when it was left out (PreferOurs) or saved over
	// ours (PreferTheirs).
	KeptAs string
}

// MergeProblem is an article of the other database left out, and why.
type MergeProblem struct {
	ArticleID, Title, Why string
}

// MergeResult counts what a merge brought in.
type MergeResult struct {
	// Articles the other database holds, and how many of them were new here.
	Articles, NewArticles int
	// Annotations the other database holds, and how many were stored here
	// (new annotators, or saved over an empty or, with PreferTheirs, a
	// conflicting one).
	Annotations, NewAnnotations int
	Conflicts                   []MergeConflict
	// Registry entries the other database holds, and how many were added
	// here (the others matched an entry by label and name or alias).
	Registry, NewRegistry int
	// History entries copied.
	History int
	// Problems are the articles left out (their text does not match the
	// one stored here under the same id, or their record is damaged).
	Problems []MergeProblem
}

// SourceName is the name of a database or file as it marks annotators
// brought in from it: the base name without its extension ("b.db" and
// "exports/b.jsonl" give "b"), with every character other than a letter, a
// digit, '.', '_' or '-' replaced by '_' (runs of them by one), no leading
// dot, at most 40 characters, and "other" when nothing is left. So the
// marked name never holds a slash, '@', white space or a control character.
func SourceName(path string) string {
	base := filepath.Base(path)
	base = strings.TrimSuffix(base, filepath.Ext(base))
	var b strings.Builder
	n, under := 0, false
	for _, r := range base {
		if n >= 40 {
			break
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '.' || r == '_' || r == '-' {
			if r == '.' && n == 0 {
				continue
			}
			b.WriteRune(r)
			n++
			under = false
			continue
		}
		if !under && n > 0 {
			b.WriteByte('_')
			n++
			under = true
		}
	}
	s := strings.TrimRight(b.String(), "_")
	if s == "" {
		return "other"
	}
	return s
}

// ConflictName is the annotator name an incoming annotation of annotator is
// kept under when the annotator already has a different one: the k-th
// candidate, "alice@other" for k 1, then "alice@other-2", … (a later merge
// that brings yet another version must not change the one kept before).
func ConflictName(annotator, source string, k int) string {
	name := annotator + "@" + source
	if k > 1 {
		name += "-" + strconv.Itoa(k)
	}
	return name
}

// SameAnnotation reports whether two annotations record the same things,
// whatever their revisions, times and id counters: what import and merge
// call "already present".
func SameAnnotation(a, b model.Annotation) bool {
	return canonical(a) == canonical(b)
}

func canonical(a model.Annotation) string {
	a = a.Clone()
	a.Rev, a.NextID, a.UpdatedAt = 0, 0, time.Time{}
	if a.Status == "" {
		a.Status = model.StatusTodo
	}
	// nil and empty lists are the same record.
	if len(a.Entities) == 0 {
		a.Entities = nil
	}
	if len(a.Claims) == 0 {
		a.Claims = nil
	}
	if len(a.Incidents) == 0 {
		a.Incidents = nil
	}
	if len(a.Sources) == 0 {
		a.Sources = nil
	}
	if len(a.Rejected) == 0 {
		a.Rejected = nil
	}
	for i := range a.Decisions {
		a.Decisions[i].At = a.Decisions[i].At.UTC()
	}
	if a.Review != nil {
		a.Review.At = a.Review.At.UTC()
		utcComments(a.Review.Comments)
	}
	data, _ := json.Marshal(a)
	return string(data)
}

// utcComments puts the times of comments and their replies in UTC (on a
// clone: canonical's own).
func utcComments(cs []model.Comment) {
	for i := range cs {
		cs[i].At = cs[i].At.UTC()
		utcComments(cs[i].Replies)
	}
}
