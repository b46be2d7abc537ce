package store

import (
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/annotate-tool/annotate/internal/model"
)

// AnnotatorSummary is one annotator's work in a database.
type AnnotatorSummary struct {
	Name string
	// Statuses counts the annotator's annotations by status (an article
	// the annotator never touched has no annotation and is not counted).
	Statuses map[model.Status]int
	// Annotations is how many annotations (one per article) the annotator
	// has.
	Annotations int
}

// Roster is what a store offers to keep annotators named on purpose: list
// them, rename one, remove one. Every method is one transaction.
type Roster interface {
	// Annotators returns every annotator with an annotation, by name.
	Annotators() ([]AnnotatorSummary, error)
	// RenameAnnotator moves everything stored under old to new: the
	// annotations, their statuses and the queue's indexes and counters,
	// their history (each entry now under new), undo and redo stacks,
	// and claims. Each renamed annotation gets one more change in its
	// history, RenameAction (in import order), which cannot be undone;
	// an annotation of another annotator that names old (gold's review
	// decisions, a review's comments) gets the same change with old made
	// new there (model.RenameAnnotatorIn). CheckRename's rule decides,
	// inside the transaction, whether the rename may be done.
	RenameAnnotator(old, new string) error
	// RemoveAnnotator deletes everything stored under name (CheckRemove's
	// rule): annotations, statuses, history, undo and redo stacks,
	// claims. It returns how many annotations it removed.
	RemoveAnnotator(name string) (int, error)
}

// RenameAction is the action of the history entry a rename adds to each
// annotation it changes.
func RenameAction(old, new string) string {
	return "rename annotator " + strconv.Quote(old) + " to " + strconv.Quote(new)
}

// ErrGold: gold holds review's adjudicated annotations; it is written by
// review only, never renamed, removed or written as an annotator.
var ErrGold = errors.New(`"` + model.GoldAnnotator + `" holds the adjudicated annotations and is written only by review`)

// ErrSameName: a rename to the name the annotator has.
var ErrSameName = errors.New("the new name is the old one")

// ErrAnnotatorExists: the new name of a rename is an annotator already.
var ErrAnnotatorExists = errors.New("is an annotator already")

// NoAnnotatorError: no annotator has the name. Similar is an annotator
// whose name differs only in what a reader cannot see (model.AnnotatorKey),
// "" when none does.
type NoAnnotatorError struct {
	Name, Similar string
}

func (e *NoAnnotatorError) Error() string {
	return fmt.Sprintf("no annotator %q in the database", e.Name)
}

// Names returns the annotators' names.
func Names(summaries []AnnotatorSummary) []string {
	out := make([]string, len(summaries))
	for i, s := range summaries {
		out[i] = s.Name
	}
	return out
}

// CheckRename is the rule both stores apply to a rename, given the
// annotators there are: old must be one of them, new a good name
// (model.CheckAnnotatorName) that is none of them and looks like none of
// them but old (model.SimilarAnnotator: renaming "Alice" to "alice"
// mends a name's case), and neither may be gold.
func CheckRename(old, new string, existing []string) error {
	if old == model.GoldAnnotator || new == model.GoldAnnotator {
		return ErrGold
	}
	if err := CheckRemove(old, existing); err != nil {
		return err
	}
	if old == new {
		return fmt.Errorf("annotator %q: %w", old, ErrSameName)
	}
	if err := model.CheckAnnotatorName(new); err != nil {
		return err
	}
	if slices.Contains(existing, new) {
		return fmt.Errorf("annotator %q %w", new, ErrAnnotatorExists)
	}
	others := slices.DeleteFunc(slices.Clone(existing), func(n string) bool { return n == old })
	return model.SimilarAnnotator(new, others)
}

// CheckRemove is the rule both stores apply to removing an annotator (and
// renaming one): name must be one of existing, and not gold.
func CheckRemove(name string, existing []string) error {
	if name == model.GoldAnnotator {
		return ErrGold
	}
	if slices.Contains(existing, name) {
		return nil
	}
	e := &NoAnnotatorError{Name: name}
	var sim *model.SimilarNameError
	if errors.As(model.SimilarAnnotator(name, existing), &sim) && sim.Existing != model.GoldAnnotator {
		e.Similar = sim.Existing
	}
	return e
}

// RenameInRegistry follows an annotator's rename into the registry: the
// entries they made, proposed aliases to or graded name the new name
// (model.RenameAnnotatorInRegistry), each a registry change kept in its
// history. It returns how many entries changed.
func RenameInRegistry(st Store, old, new, who string) (int, error) {
	var ids []string
	err := st.Registry(func(e model.RegistryEntry) error {
		if model.RenameAnnotatorInRegistry(&e, old, new) {
			ids = append(ids, e.ID)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	for _, id := range ids {
		if _, _, err := ChangeRegistry(st, id, who, RenameAction(old, new), func(e *model.RegistryEntry) bool {
			return model.RenameAnnotatorInRegistry(e, old, new)
		}); err != nil {
			return 0, err
		}
	}
	return len(ids), nil
}
