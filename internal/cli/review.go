package cli

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/tui"
)

// runReview opens the screen in review mode: the annotators' versions of
// each article compared item by item, the decisions saved as the gold
// annotation, --annotator being the reviewer. With one annotator named,
// her finished articles are reviewed in place, accepted or returned.
func runReview(e *env, args []string) error {
	fs := e.newFlags("review")
	annotators := fs.String("annotators", "", "the annotators to compare, comma-separated (`a,b`; default: every annotator of each article); one name reviews that annotator's finished work")
	var src suggestSources
	src.flags(fs)
	rest, err := e.parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return errUsage{"review takes no arguments: annotate review [--annotators a,b]"}
	}
	var who []string
	for _, a := range strings.Split(*annotators, ",") {
		if a = strings.TrimSpace(a); a != "" {
			if a == model.GoldAnnotator {
				return errUsage{"gold is where review writes: name the annotators to compare, not gold"}
			}
			who = append(who, a)
		}
	}
	if e.annotator == model.GoldAnnotator {
		return errUsage{"the reviewer cannot be called gold: pass --annotator YOUR-NAME"}
	}
	db, _, err := src.open(e)
	if err != nil {
		return err
	}
	// The annotators named must be the database's: a typo would review
	// nobody, a look-alike someone else.
	for _, w := range who {
		if slices.Contains(e.annotators, w) {
			continue
		}
		db.Close()
		var sim *model.SimilarNameError
		if errors.As(model.SimilarAnnotator(w, e.annotators), &sim) {
			return errUsage{fmt.Sprintf("%s: did you mean %s?", sim.Error(), sim.Existing)}
		}
		return errUsage{fmt.Sprintf("no annotator %q in this database (annotators: %s)", w, strings.Join(e.annotators, ", "))}
	}
	if !e.interactive {
		db.Close()
		return errUsage{"review needs a terminal; for scripts see annotate agree and export --gold"}
	}
	return openScreenWith(e, db, &src, &tui.ReviewOptions{Annotators: who})
}
