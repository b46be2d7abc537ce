package bolt

import (
	"encoding/json"
	"fmt"
	"sort"

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
	sort.SliceStable(list, func(i, j int) bool { return store.RegistryLess(list[i], list[j]) })
	for _, e := range list {
		if err := fn(e); err != nil {
			return err
		}
	}
	return nil
}

// sameNameAndLabel returns another entry of e's label that already goes by
// e's name, as its name or as an alias, and that name
// (store.RegistryNameTaken).
func sameNameAndLabel(tx *txn, e model.RegistryEntry) (model.RegistryEntry, string, error) {
	all, err := allRegistry(tx)
	if err != nil {
		return model.RegistryEntry{}, "", err
	}
	o, name := store.RegistryNameTaken(all, e)
	return o, name, nil
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
// may be shared: two groups can both be called "the Front". A change made
// to a copy older than the stored entry is refused (store.ErrConflict,
// store.CheckRegistryFresh).
func (db *DB) SaveRegistry(e model.RegistryEntry, who, action string) (model.RegistryEntry, error) {
	if p := store.TidyRegistryEntry(&e); p != "" {
		return e, fmt.Errorf("%w: %s", store.ErrRegistryEntry, p)
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
			e.ID = store.RegistryID(seq)
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
			if err := store.CheckRegistryFresh(prev, e); err != nil {
				return err
			}
			before = &prev
			if action == "" {
				action = "change"
			}
		}
		// One entry per actor: a name another entry of the label goes
		// by would make two.
		all, err := allRegistry(tx)
		if err != nil {
			return err
		}
		if err := store.CheckRegistryName(all, e); err != nil {
			return err
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
	if err := store.RefuseSelfMerge(into, from); err != nil {
		return model.RegistryEntry{}, err
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
		merged = store.MergeRegistryEntries(target, source)
		now := db.Now().UTC()
		merged.UpdatedAt, merged.UpdatedBy = now, who
		if p := store.RegistryEntryProblem(merged); p != "" {
			return fmt.Errorf("%w: %s", store.ErrRegistryEntry, p)
		}
		action := store.RegistryMergeAction(target, source)
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
	var rc store.RegistryCheck
	_ = tx.Bucket(bucketRegistry).ForEach(func(k, v []byte) error {
		var e model.RegistryEntry
		if err := json.Unmarshal(v, &e); err != nil {
			problems = append(problems, fmt.Sprintf("registry entry %s is damaged: %v", k, err))
			return nil
		}
		if e.ID != string(k) {
			problems = append(problems, fmt.Sprintf("registry entry %s holds id %q", k, e.ID))
		}
		if p := store.RegistryEntryProblem(e); p != "" {
			problems = append(problems, fmt.Sprintf("registry entry %s: %s", k, p))
		}
		if p := rc.Entry(string(k), e); p != "" {
			problems = append(problems, p)
		}
		return nil
	})
	_ = tx.Bucket(bucketRegistryHistory).ForEach(func(k, v []byte) error {
		var c store.RegistryChange
		if err := json.Unmarshal(v, &c); err != nil {
			problems = append(problems, fmt.Sprintf("registry history entry %x is damaged: %v", k, err))
			return nil
		}
		rc.Change(c)
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
		problems = append(problems, rc.Links(a)...)
		return nil
	})
	return problems
}
