package cli

import (
	"errors"
	"fmt"
	"os"
	"text/tabwriter"
	"time"

	"github.com/annotate-tool/annotate/internal/formats"
	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store"
	"github.com/annotate-tool/annotate/internal/store/bolt"
	"github.com/annotate-tool/annotate/internal/termtext"
)

const annotatorsUsage = "annotate annotators [--json] | rename OLD NEW | remove [--force] NAME"

// annotatorsUsageLines are its forms, one a line, for its help.
var annotatorsUsageLines = []string{
	"annotate annotators [--json]",
	"annotate annotators rename OLD NEW",
	"annotate annotators remove [--force] NAME",
}

// annotatorLine is one line of `annotators --json`.
type annotatorLine struct {
	Name string `json:"name"`
	// Annotations is how many articles the annotator has an annotation
	// of; Statuses counts every article by the annotator's status, as
	// the annotator's queue does (an article never touched is todo).
	Annotations int                  `json:"annotations"`
	Statuses    map[model.Status]int `json:"statuses"`
}

// runAnnotators lists the annotators, or renames or removes one.
func runAnnotators(e *env, args []string) error {
	fs := e.newFlags("annotators")
	asJSON := fs.Bool("json", false, "list: one JSON object per line")
	force := fs.Bool("force", false, "remove: also an annotator who has annotations (a bbolt file is backed up first)")
	rest, err := e.parse(fs, args)
	if err != nil {
		return err
	}
	sub := ""
	if len(rest) > 0 {
		sub, rest = rest[0], rest[1:]
	}
	want := map[string]int{"": 0, "rename": 2, "remove": 1}
	n, known := want[sub]
	switch {
	case !known:
		return errUsage{fmt.Sprintf("unknown annotators command %q: %s", sub, annotatorsUsage)}
	case len(rest) != n:
		return errUsage{fmt.Sprintf("annotators %s takes %d %s, got %d: %s", sub, n, plural(n, "argument", "arguments"), len(rest), annotatorsUsage)}
	case *asJSON && sub != "":
		return errUsage{"--json goes with the listing (`annotate annotators --json`), not with " + sub}
	case *force && sub != "remove":
		return errUsage{"--force goes with `annotators remove`: " + annotatorsUsage}
	}
	db, _, err := e.open()
	if err != nil {
		return err
	}
	defer db.Close()
	r, ok := db.(store.Roster)
	if !ok {
		return fmt.Errorf("the database %s cannot list, rename or remove annotators", e.location())
	}
	switch sub {
	case "rename":
		return renameAnnotator(e, db, r, rest[0], rest[1])
	case "remove":
		return removeAnnotator(e, db, r, rest[0], *force)
	}
	return listAnnotators(e, db, r, *asJSON)
}

func listAnnotators(e *env, db store.Store, r store.Roster, asJSON bool) error {
	all, err := r.Annotators()
	if err != nil {
		return err
	}
	p, err := db.Page(store.Query{Limit: 1})
	if err != nil {
		return err
	}
	lw := formats.NewLineWriter(e.stdout)
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	if !asJSON {
		fmt.Fprintln(tw, "ANNOTATOR\tANNOTATIONS\tTODO\tIN PROGRESS\tDONE\tSKIPPED")
	}
	for _, a := range all {
		line := annotatorLine{Name: a.Name, Annotations: a.Annotations, Statuses: map[model.Status]int{}}
		for _, st := range model.Statuses {
			line.Statuses[st] = a.Statuses[st]
		}
		// The articles the annotator never touched are todo in the queue.
		line.Statuses[model.StatusTodo] += max(p.Total-a.Annotations, 0)
		if asJSON {
			if err := lw.Write(line); err != nil {
				return err
			}
			continue
		}
		s := line.Statuses
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\n", termtext.Line(a.Name), a.Annotations,
			s[model.StatusTodo], s[model.StatusInProgress], s[model.StatusDone], s[model.StatusSkipped])
	}
	if asJSON {
		return lw.Flush()
	}
	if len(all) == 0 {
		fmt.Fprintln(tw, "(no annotators yet: nobody has annotated an article)")
	}
	return tw.Flush()
}

func renameAnnotator(e *env, db store.Store, r store.Roster, old, new string) error {
	all, err := r.Annotators()
	if err != nil {
		return err
	}
	n := 0
	for _, a := range all {
		if a.Name == old {
			n = a.Annotations
		}
	}
	if err := r.RenameAnnotator(old, new); err != nil {
		return annotatorRefusal(err)
	}
	entries, err := store.RenameInRegistry(db, old, new, e.annotator)
	if err != nil {
		return fmt.Errorf("renamed %q to %q, but the registry still names %q: %w (run the rename again)", old, new, old, err)
	}
	fmt.Fprintf(e.stdout, "renamed %q to %q: %d %s moved with %s history, undo steps and claims; %d registry %s\n", old, new, n,
		plural(n, "annotation", "annotations"), plural(n, "its", "their"), entries, plural(entries, "entry follows", "entries follow"))
	return nil
}

func removeAnnotator(e *env, db store.Store, r store.Roster, name string, force bool) error {
	all, err := r.Annotators()
	if err != nil {
		return err
	}
	n := 0
	for _, a := range all {
		if a.Name == name {
			n = a.Annotations
		}
	}
	if err := store.CheckRemove(name, store.Names(all)); err != nil {
		return annotatorRefusal(err)
	}
	bak := ""
	if n > 0 {
		if !force {
			how := "a copy of the database is written beside it first"
			if e.onPostgres() {
				how = "on PostgreSQL take a copy first with pg_dump or `annotate copy " + e.location() + " FILE`"
			}
			return errUsage{fmt.Sprintf("annotator %q has %d %s: pass --force to remove them with their history for good (%s)", name, n, plural(n, "annotation", "annotations"), how)}
		}
		if f, ok := db.(*bolt.DB); ok {
			bak = backupName(e.dbPath, "remove", f.Now())
			if _, _, err := writeBackup(e, f, bak, false); err != nil {
				return fmt.Errorf("remove %q: the backup failed, so nothing was removed: %w", name, err)
			}
		}
	}
	removed, err := r.RemoveAnnotator(name)
	if err != nil {
		return annotatorRefusal(err)
	}
	msg := fmt.Sprintf("removed %q: %d %s with %s history", name, removed, plural(removed, "annotation", "annotations"), plural(removed, "its", "their"))
	if bak != "" {
		msg += "; a copy as it was is at " + bak
	}
	fmt.Fprintln(e.stdout, msg)
	return nil
}

// annotatorRefusal turns the store's refusals of a rename or removal into
// a line saying what to do (exit 2); other errors pass.
func annotatorRefusal(err error) error {
	var no *store.NoAnnotatorError
	var sim *model.SimilarNameError
	switch {
	case errors.Is(err, store.ErrGold):
		return errGoldWritten
	case errors.As(err, &no) && no.Similar != "":
		return errUsage{fmt.Sprintf("%v: did you mean %s?", err, no.Similar)}
	case errors.As(err, &no):
		return errUsage{fmt.Sprintf("%v: `annotate annotators` lists them", err)}
	case errors.Is(err, store.ErrAnnotatorExists):
		return errUsage{fmt.Sprintf("%v: choose another name (two annotators' work is never merged into one)", err)}
	case errors.As(err, &sim):
		return errUsage{fmt.Sprintf("%v: choose a name a reader can tell apart", err)}
	case errors.Is(err, model.ErrAnnotatorNameBlank):
		return errUsage{"the new name is blank: " + annotatorsUsage}
	case errors.Is(err, store.ErrSameName):
		return errUsage{err.Error()}
	}
	var bad *model.AnnotatorNameError
	if errors.As(err, &bad) {
		return errUsage{err.Error()}
	}
	return err
}

// backupName is a new file beside the database for a copy taken before
// what (a removal): PATH.what-20261201T214500.bak, -2, -3 ... when taken.
func backupName(dbPath, what string, now time.Time) string {
	stamp := fmt.Sprintf("%s.%s-%s", dbPath, what, now.UTC().Format("20060102T150405"))
	bak := stamp + ".bak"
	for i := 2; ; i++ {
		if _, err := os.Lstat(bak); err != nil {
			return bak
		}
		bak = fmt.Sprintf("%s-%d.bak", stamp, i)
	}
}
