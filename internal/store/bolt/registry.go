package bolt

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store"
)

// The registry's buckets (layout 4): entries keyed by their id ("r1", "r2",
// ... from the bucket's sequence) and the registry's own history, keyed by
// sequence number like the annotations' history.
var (
	bucketRegistry        = []byte("registry")
	bucketRegistryHistory = []byte("registry_history")
)

// ErrRegistryEntry marks a registry change refused because of what it
// asks for (an empty name, a name another entry has): the caller's input,
// not the database, is at fault.
var ErrRegistryEntry = errors.New("registry entry refused")

func getRegistry(tx *txn, id string) (model.RegistryEntry, bool, error) {
	b, err := bucket(tx, bucketRegistry)
	if err != nil {
		return model.RegistryEntry{}, false, err
	}
	v := b.Get([]byte(id))
	if v == nil {
		return model.RegistryEntry{}, false, nil
	}
	var e model.RegistryEntry
	if err := json.Unmarshal(v, &e); err != nil {
		return e, false, fmt.Errorf("registry entry %s is damaged: %w", id, err)
	}
	return e, true, nil
}

// allRegistry decodes every entry of the registry.
func allRegistry(tx *txn) ([]model.RegistryEntry, error) {
	b, err := bucket(tx, bucketRegistry)
	if err != nil {
		return nil, err
	}
	var out []model.RegistryEntry
	err = b.ForEach(func(k, v []byte) error {
		var e model.RegistryEntry
		if err := json.Unmarshal(v, &e); err != nil {
			return fmt.Errorf("registry entry %s is damaged: %w", k, err)
		}
		out = append(out, e)
		return nil
	})
	return out, err
}

// registryLess orders entries by name (NameKey), then by id number, so "r2"
// comes before "r10".
func registryLess(a, b model.RegistryEntry) bool {
	ka, kb := model.NameKey(a.Name), model.NameKey(b.Name)
	if ka != kb {
		return ka < kb
	}
	na, ea := strconv.Atoi(strings.TrimPrefix(a.ID, "r"))
	nb, eb := strconv.Atoi(strings.TrimPrefix(b.ID, "r"))
	if ea == nil && eb == nil && na != nb {
		return na < nb
	}
	return a.ID < b.ID
}

// Registry calls fn for every registry entry, by name then id.
func (db *DB) Registry(fn func(model.RegistryEntry) error) error {
	var list []model.RegistryEntry
	err := db.view(func(tx *txn) error {
		var err error
		list, err = allRegistry(tx)
		return err
	})
	if err != nil {
		return err
	}
	sort.SliceStable(list, func(i, j int) bool { return registryLess(list[i], list[j]) })
	for _, e := range list {
		if err := fn(e); err != nil {
			return err
		}
	}
	return nil
}

// tidyEntry trims the names, drops aliases that repeat the name or each
// other (by NameKey) and repeated external ids, and returns what is wrong
// with the entry as it then is ("" when nothing).
func tidyEntry(e *model.RegistryEntry) string {
	e.Name = strings.TrimSpace(e.Name)
	e.Label = strings.TrimSpace(e.Label)
	e.Aliases = joinNames([]string{e.Name}, e.Aliases)[1:]
	if len(e.Aliases) == 0 {
		e.Aliases = nil
	}
	e.ExternalIDs = joinNames(nil, e.ExternalIDs)
	return entryProblem(*e)
}

// entryProblem says what makes an entry unfit to keep, "" when nothing. It
// is what SaveRegistry refuses and what Check reports.
func entryProblem(e model.RegistryEntry) string {
	switch {
	case strings.TrimSpace(e.Name) == "":
		return "an entry needs a name"
	case badName(e.Name):
		return fmt.Sprintf("name %q holds a line break or control character", e.Name)
	case e.Label == "":
		return "an entry needs a label"
	}
	for _, a := range e.Aliases {
		if strings.TrimSpace(a) == "" || badName(a) {
			return fmt.Sprintf("alias %q is blank or holds a line break or control character", a)
		}
	}
	for _, x := range e.ExternalIDs {
		if scheme, id, ok := strings.Cut(x, ":"); !ok || strings.TrimSpace(scheme) == "" || strings.TrimSpace(id) == "" || badName(x) {
			return fmt.Sprintf("external id %q is not scheme:id (wikidata:Q1325475, acled:...)", x)
		}
	}
	return ""
}

func badName(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) })
}

// joinNames appends to base the names of more that base does not yet hold
// (compared by NameKey), trimmed, in order.
func joinNames(base []string, more []string) []string {
	out := slices.Clone(base)
	seen := map[string]bool{}
	for _, n := range out {
		seen[model.NameKey(n)] = true
	}
	for _, n := range more {
		n = strings.TrimSpace(n)
		k := model.NameKey(n)
		if n == "" || seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, n)
	}
	return out
}

// sameNameAndLabel returns another entry of e's label that already goes by
// e's name, as its name or as an alias, and that name.
func sameNameAndLabel(tx *txn, e model.RegistryEntry) (model.RegistryEntry, string, error) {
	all, err := allRegistry(tx)
	if err != nil {
		return model.RegistryEntry{}, "", err
	}
	for _, o := range all {
		if o.ID == e.ID || o.Label != e.Label {
			continue
		}
		for _, n := range o.Names() {
			if model.NameKey(n) == model.NameKey(e.Name) {
				return o, n, nil
			}
		}
	}
	return model.RegistryEntry{}, "", nil
}

// addRegistryChange appends one change to the registry's history.
func addRegistryChange(tx *txn, c store.RegistryChange) error {
	b, err := bucket(tx, bucketRegistryHistory)
	if err != nil {
		return err
	}
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	c.Seq = seq
	return putJSON(b, u64(seq), c)
}

// SaveRegistry adds an entry (e.ID "") or changes one. It refuses an empty
// name and a name another entry of the same label already goes by (as its
// name or an alias), so the registry holds one entry per actor. Aliases
// may be shared: two groups can both be called "the Front".
func (db *DB) SaveRegistry(e model.RegistryEntry, who, action string) (model.RegistryEntry, error) {
	if p := tidyEntry(&e); p != "" {
		return e, fmt.Errorf("%w: %s", ErrRegistryEntry, p)
	}
	err := db.update(func(tx *txn) error {
		b, err := bucket(tx, bucketRegistry)
		if err != nil {
			return err
		}
		var before *model.RegistryEntry
		if e.ID == "" {
			seq, err := b.NextSequence()
			if err != nil {
				return err
			}
			e.ID = "r" + strconv.FormatUint(seq, 10)
			if action == "" {
				action = "add"
			}
		} else {
			prev, found, err := getRegistry(tx, e.ID)
			if err != nil {
				return err
			}
			if !found {
				return fmt.Errorf("registry entry %s: %w", e.ID, store.ErrNotFound)
			}
			before = &prev
			if action == "" {
				action = "change"
			}
		}
		// One entry per actor: a name another entry of the label goes
		// by would make two.
		if o, name, err := sameNameAndLabel(tx, e); err != nil {
			return err
		} else if name != "" {
			also := ""
			if name != o.Name {
				also = fmt.Sprintf(" (%q is its alias)", name)
			}
			return fmt.Errorf("%w: the registry already has %s %q as %s%s: merge the two, or choose another name", ErrRegistryEntry, o.Label, o.Name, o.ID, also)
		}
		now := db.Now().UTC()
		e.UpdatedAt, e.UpdatedBy = now, who
		if err := putJSON(b, []byte(e.ID), e); err != nil {
			return err
		}
		return addRegistryChange(tx, store.RegistryChange{Time: now, Who: who, Action: action, Entry: e.ID, Before: before})
	})
	if err != nil {
		return model.RegistryEntry{}, err
	}
	return e, nil
}

// mergeAction is the history action of a merge; Check reads the ids of
// entries merged away from the registry history's Merged states.
func mergeAction(into, from model.RegistryEntry) string {
	return fmt.Sprintf("merge %s %q into %s %q", from.ID, from.Name, into.ID, into.Name)
}

// MergeRegistry folds entry from into entry into: from's name, aliases and
// external ids join into's (without repeats, by NameKey), into keeps its
// grade (or takes from's when it has none), every stored annotation whose
// entities link to from is relinked to into, and from is removed; the
// registry history gets one entry holding both states before.
//
// Each relinked annotation is saved as a normal change (history, undo
// stack), so its annotator can undo it like any other. Undoing it brings
// back the link to the removed entry: such a link is then a link to an
// entry merged away, which Check accepts and the screen treats as no link,
// rather than a link that was never valid.
func (db *DB) MergeRegistry(into, from, who string) (model.RegistryEntry, error) {
	if into == from {
		return model.RegistryEntry{}, fmt.Errorf("%w: cannot merge %s into itself", ErrRegistryEntry, into)
	}
	var merged model.RegistryEntry
	err := db.update(func(tx *txn) error {
		target, found, err := getRegistry(tx, into)
		if err != nil {
			return err
		}
		if !found {
			return fmt.Errorf("registry entry %s: %w", into, store.ErrNotFound)
		}
		source, found, err := getRegistry(tx, from)
		if err != nil {
			return err
		}
		if !found {
			return fmt.Errorf("registry entry %s: %w", from, store.ErrNotFound)
		}
		before, gone := target, source
		merged = target
		merged.Aliases = slices.Clone(target.Aliases)
		merged.Aliases = joinNames([]string{target.Name}, append(append(merged.Aliases, source.Name), source.Aliases...))[1:]
		if len(merged.Aliases) == 0 {
			merged.Aliases = nil
		}
		merged.ExternalIDs = joinNames(slices.Clone(target.ExternalIDs), source.ExternalIDs)
		if merged.Grade == nil && source.Grade != nil {
			g := *source.Grade
			merged.Grade = &g
		}
		now := db.Now().UTC()
		merged.UpdatedAt, merged.UpdatedBy = now, who
		if p := entryProblem(merged); p != "" {
			return fmt.Errorf("%w: %s", ErrRegistryEntry, p)
		}
		action := mergeAction(target, source)
		if err := relink(db, tx, from, into, action); err != nil {
			return err
		}
		b := tx.Bucket(bucketRegistry)
		if err := putJSON(b, []byte(into), merged); err != nil {
			return err
		}
		if err := b.Delete([]byte(from)); err != nil {
			return err
		}
		return addRegistryChange(tx, store.RegistryChange{Time: now, Who: who, Action: action, Entry: into, Before: &before, Merged: &gone})
	})
	if err != nil {
		return model.RegistryEntry{}, err
	}
	return merged, nil
}

// relink saves, as a change with history and undo, every annotation with an
// entity linked to registry entry from, linked to into instead.
func relink(db *DB, tx *txn, from, into, action string) error {
	type found struct {
		key []byte
		ann model.Annotation
	}
	var todo []found
	err := tx.Bucket(bucketAnnotations).ForEach(func(k, v []byte) error {
		rec, err := decodeRecord(k, v)
		if err != nil {
			return err
		}
		a, err := loadAnnotation(tx, k, rec)
		if err != nil {
			return err
		}
		for _, e := range a.Referents {
			if e.Registry == from {
				todo = append(todo, found{append([]byte(nil), k...), a})
				break
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, f := range todo {
		next := f.ann.Clone()
		for i := range next.Referents {
			if next.Referents[i].Registry == from {
				next.Referents[i].Registry = into
			}
		}
		if _, err := db.saveIn(tx, f.ann, true, next, "registry: "+action); err != nil {
			return err
		}
	}
	return nil
}

// RegistryHistory calls fn for each registry change, oldest first.
func (db *DB) RegistryHistory(fn func(store.RegistryChange) error) error {
	var changes []store.RegistryChange
	err := db.view(func(tx *txn) error {
		b, err := bucket(tx, bucketRegistryHistory)
		if err != nil {
			return err
		}
		return b.ForEach(func(k, v []byte) error {
			var c store.RegistryChange
			if err := json.Unmarshal(v, &c); err != nil {
				return fmt.Errorf("registry history entry %x is damaged: %w", k, err)
			}
			changes = append(changes, c)
			return nil
		})
	})
	if err != nil {
		return err
	}
	for _, c := range changes {
		if err := fn(c); err != nil {
			return err
		}
	}
	return nil
}

// checkRegistry reports registry entries and registry history entries that
// do not decode or are not sane, and annotations whose entities link to an
// entry that does not exist and was never merged away.
func checkRegistry(tx *txn) []string {
	var problems []string
	known := map[string]bool{}
	names := map[string]string{}
	_ = tx.Bucket(bucketRegistry).ForEach(func(k, v []byte) error {
		var e model.RegistryEntry
		if err := json.Unmarshal(v, &e); err != nil {
			problems = append(problems, fmt.Sprintf("registry entry %s is damaged: %v", k, err))
			return nil
		}
		known[string(k)] = true
		if e.ID != string(k) {
			problems = append(problems, fmt.Sprintf("registry entry %s holds id %q", k, e.ID))
		}
		if p := entryProblem(e); p != "" {
			problems = append(problems, fmt.Sprintf("registry entry %s: %s", k, p))
		}
		key := e.Label + "\x00" + model.NameKey(e.Name)
		if other, dup := names[key]; dup {
			problems = append(problems, fmt.Sprintf("registry entries %s and %s are both %s %q: merge them (annotate entities merge %s %s)", other, k, e.Label, e.Name, other, k))
		} else {
			names[key] = string(k)
		}
		return nil
	})
	mergedAway := map[string]bool{}
	_ = tx.Bucket(bucketRegistryHistory).ForEach(func(k, v []byte) error {
		var c store.RegistryChange
		if err := json.Unmarshal(v, &c); err != nil {
			problems = append(problems, fmt.Sprintf("registry history entry %x is damaged: %v", k, err))
			return nil
		}
		if c.Merged != nil {
			mergedAway[c.Merged.ID] = true
		}
		return nil
	})
	_ = tx.Bucket(bucketAnnotations).ForEach(func(k, v []byte) error {
		rec, err := decodeRecord(k, v)
		if err != nil {
			return nil // checkRecords reports it
		}
		a, err := loadAnnotation(tx, k, rec)
		if err != nil {
			return nil
		}
		for _, e := range a.Referents {
			if e.Registry != "" && !known[e.Registry] && !mergedAway[e.Registry] {
				problems = append(problems, fmt.Sprintf("article %s, annotator %s: referents[%s].registry: links to registry entry %q, which does not exist", a.ArticleID, a.Annotator, e.ID, e.Registry))
			}
		}
		return nil
	})
	return problems
}
