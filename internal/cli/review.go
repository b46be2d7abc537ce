package cli

import (
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
	annotators := fs.String("annotators", "", "the annotators to compare, comma-separated (default: every annotator of each article); one name reviews that annotator's finished work")
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
	if !e.interactive {
		return errUsage{"review needs a terminal; for scripts see annotate agree and export --gold"}
	}
	db, _, err := src.open(e)
	if err != nil {
		return err
	}
	return openScreenWith(e, db, &src, &tui.ReviewOptions{Annotators: who})
}
