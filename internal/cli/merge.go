package cli

import (
	"fmt"
	"sort"
	"strings"

	"github.com/annotate-tool/annotate/internal/store"
	"github.com/annotate-tool/annotate/internal/store/bolt"
	"github.com/annotate-tool/annotate/internal/store/postgres"
	"github.com/annotate-tool/annotate/internal/termtext"
)

const mergeUsage = "annotate merge OTHER.db [OTHER2.db ...] [--prefer ours|theirs]"

// runMerge copies other annotate databases into this one (bolt.Merge):
// each is only read, and a file that cannot be read is named on one line
// while the others are still merged.
func runMerge(e *env, args []string) error {
	fs := e.newFlags("merge")
	prefer := fs.String("prefer", "", "when an annotator has a different version of an article in both: `ours|theirs`; ours keeps ours, theirs saves theirs over ours (undoable); default: keep both, theirs as ANNOTATOR@OTHER")
	paths, err := e.parse(fs, args)
	if err != nil {
		return err
	}
	p, ok := store.ParsePrefer(*prefer)
	if !ok || (flagSet(fs, "prefer") && p == store.PreferBoth) {
		return errUsage{fmt.Sprintf("unknown --prefer %q: use ours or theirs (or leave it out to keep both)", *prefer)}
	}
	if len(paths) == 0 {
		return errUsage{"name the databases to merge into this one: " + mergeUsage}
	}
	db, err := e.openBolt("merge", "copy it to a bbolt file (annotate copy), merge there, and copy the result back with --replace", true)
	if err != nil {
		return err
	}
	defer db.Close()
	failed := false
	for _, path := range paths {
		if err := mergeOne(e, db, path, p); err != nil {
			fmt.Fprintf(e.stderr, "annotate: merge %s\n", termtext.Line(oneLine(err.Error())))
			failed = true
		}
	}
	if failed {
		return errSilent{}
	}
	return nil
}

func mergeOne(e *env, db *bolt.DB, path string, prefer store.Prefer) error {
	if postgres.IsURL(path) {
		return fmt.Errorf("%s: merge reads bbolt files: copy the PostgreSQL database to one first (annotate copy URL FILE) and merge that", postgres.Redact(path))
	}
	other, err := bolt.OpenReadOnly(path, bolt.Options{LockTimeout: e.lockTimeout})
	if err != nil {
		return err
	}
	defer other.Close()
	theirs, err := other.Annotators()
	if err != nil {
		return err
	}
	for _, a := range theirs {
		if err := e.checkRecordAnnotator(a.Name); err != nil {
			return fmt.Errorf("%s: %w: nothing was merged from it; rename the annotator in one of the databases first (annotate annotators rename)", path, err)
		}
	}
	source := store.SourceName(path)
	res, err := db.Merge(other, store.MergeOptions{Source: source, Prefer: prefer, Who: e.annotator})
	for _, c := range res.Conflicts {
		line := fmt.Sprintf("conflict: article %s %q, annotator %s: ", c.ArticleID, c.Title, c.Annotator)
		switch {
		case c.KeptAs != "":
			line += "both kept, theirs as " + c.KeptAs
		case prefer == store.PreferOurs:
			line += "ours kept, theirs left out"
		default:
			line += "theirs saved over ours (undo brings ours back)"
		}
		fmt.Fprintln(e.stdout, termtext.Line(line))
	}
	for _, p := range res.Problems {
		fmt.Fprintln(e.stderr, termtext.Line(fmt.Sprintf("annotate: merge %s: article %s %q: %s", path, p.ArticleID, p.Title, p.Why)))
	}
	if err != nil {
		return fmt.Errorf("%s: %w (what was merged before stays; merging again adds only the rest)", path, err)
	}
	fmt.Fprintln(e.stdout, termtext.Line(mergeSummary(res, prefer)+" from "+path))
	if len(res.Problems) > 0 {
		return fmt.Errorf("%s: %d %s left out", path, len(res.Problems), plural(len(res.Problems), "article", "articles"))
	}
	return nil
}

// mergeSummary is the line a merge ends with: "merged 2 articles (1 new),
// 3 annotations (2 new, 1 conflict kept as alice@b), 4 registry entries
// (1 new)".
func mergeSummary(res store.MergeResult, prefer store.Prefer) string {
	n := len(res.Conflicts)
	conflicts := fmt.Sprintf("%d %s", n, plural(n, "conflict", "conflicts"))
	if n > 0 {
		switch prefer {
		case store.PreferOurs:
			conflicts += ": ours kept"
		case store.PreferTheirs:
			conflicts += ": theirs saved over ours"
		default:
			seen := map[string]bool{}
			var names []string
			for _, c := range res.Conflicts {
				if !seen[c.KeptAs] {
					seen[c.KeptAs] = true
					names = append(names, c.KeptAs)
				}
			}
			sort.Strings(names)
			conflicts += " kept as " + strings.Join(names, ", ")
		}
	}
	return fmt.Sprintf("merged %d %s (%d new), %d %s (%d new, %s), %d registry %s (%d new)",
		res.Articles, plural(res.Articles, "article", "articles"), res.NewArticles,
		res.Annotations, plural(res.Annotations, "annotation", "annotations"), res.NewAnnotations, conflicts,
		res.Registry, plural(res.Registry, "entry", "entries"), res.NewRegistry)
}
