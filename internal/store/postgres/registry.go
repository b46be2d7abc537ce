package postgres

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store"
)

// The registry's rules (store/registry.go) are every store's; what is
// PostgreSQL's here is how entries and changes are read and written, and
// the lock that keeps two changes from checking the rules at once.

// lockRegistry keeps every other registry change out until tx ends
// (readers go on): the one-entry-per-actor rule is checked against all
// entries, so two changes must not check at once.
func lockRegistry(tx pgx.Tx) error {
	_, err := tx.Exec(bg, `LOCK TABLE registry IN SHARE ROW EXCLUSIVE MODE`)
	return err
}

func allRegistry(tx pgx.Tx) ([]model.RegistryEntry, error) {
	rows, err := tx.Query(bg, `SELECT id, entry FROM registry`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (model.RegistryEntry, error) {
		var id string
		var data []byte
		var e model.RegistryEntry
		if err := row.Scan(&id, &data); err != nil {
			return e, err
		}
		if err := json.Unmarshal(data, &e); err != nil {
			return e, fmt.Errorf("registry entry %s is damaged: %v", id, err)
		}
		return e, nil
	})
}

func getRegistry(tx pgx.Tx, id string) (model.RegistryEntry, bool, error) {
	var data []byte
	var e model.RegistryEntry
	err := tx.QueryRow(bg, `SELECT entry FROM registry WHERE id = $1`, id).Scan(&data)
	if errors.Is(err, pgx.ErrNoRows) {
		return e, false, nil
	}
	if err != nil {
		return e, false, err
	}
	if err := json.Unmarshal(data, &e); err != nil {
		return e, false, fmt.Errorf("registry entry %s is damaged: %v", id, err)
	}
	return e, true, nil
}

func putRegistry(tx pgx.Tx, e model.RegistryEntry) error {
	data, err := json.Marshal(e)
	if err != nil {
		return err
	}
	_, err = tx.Exec(bg, `INSERT INTO registry (id, label, name, entry) VALUES ($1, $2, $3, $4)
		ON CONFLICT (id) DO UPDATE SET label = excluded.label, name = excluded.name, entry = excluded.entry`, e.ID, e.Label, e.Name, data)
	return err
}

func addRegistryChange(tx pgx.Tx, c store.RegistryChange) error {
	var before, merged []byte
	var err error
	if c.Before != nil {
		if before, err = json.Marshal(c.Before); err != nil {
			return err
		}
	}
	if c.Merged != nil {
		if merged, err = json.Marshal(c.Merged); err != nil {
			return err
		}
	}
	if c.Seq != 0 {
		_, err = tx.Exec(bg, `INSERT INTO registry_history (seq, at, who, action, entry, before, merged) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			int64(c.Seq), c.Time, c.Who, c.Action, c.Entry, before, merged)
	} else {
		_, err = tx.Exec(bg, `INSERT INTO registry_history (at, who, action, entry, before, merged) VALUES ($1, $2, $3, $4, $5, $6)`,
			c.Time, c.Who, c.Action, c.Entry, before, merged)
	}
	return err
}

// Registry calls fn for every registry entry, by name then id.
func (db *DB) Registry(fn func(model.RegistryEntry) error) error {
	var list []model.RegistryEntry
	err := db.read(func(tx pgx.Tx) error {
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

// SaveRegistry adds an entry (e.ID "") or changes one, refusing an empty
// name, a name another entry of the label goes by, and a change made to a
// copy older than the stored entry (store.CheckRegistryFresh).
func (db *DB) SaveRegistry(e model.RegistryEntry, who, action string) (model.RegistryEntry, error) {
	if p := store.TidyRegistryEntry(&e); p != "" {
		return e, fmt.Errorf("%w: %s", store.ErrRegistryEntry, p)
	}
	in := e
	err := db.write(func(tx pgx.Tx) error {
		e = in
		if err := lockRegistry(tx); err != nil {
			return err
		}
		var before *model.RegistryEntry
		act := action
		if e.ID == "" {
			var n int64
			if err := tx.QueryRow(bg, `UPDATE registry_counter SET last_id = last_id + 1 RETURNING last_id`).Scan(&n); err != nil {
				return err
			}
			e.ID = store.RegistryID(uint64(n))
			if act == "" {
				act = "add"
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
			if act == "" {
				act = "change"
			}
		}
		all, err := allRegistry(tx)
		if err != nil {
			return err
		}
		if err := store.CheckRegistryName(all, e); err != nil {
			return err
		}
		now := db.now()
		e.UpdatedAt, e.UpdatedBy = now, who
		if err := putRegistry(tx, e); err != nil {
			return err
		}
		return addRegistryChange(tx, store.RegistryChange{Time: now, Who: who, Action: act, Entry: e.ID, Before: before})
	})
	if err != nil {
		return model.RegistryEntry{}, err
	}
	return e, nil
}

// MergeRegistry folds entry from into entry into (see store.Store): one
// transaction, every annotation linked to from relinked as its
// annotator's own undoable change.
func (db *DB) MergeRegistry(into, from, who string) (model.RegistryEntry, error) {
	if err := store.RefuseSelfMerge(into, from); err != nil {
		return model.RegistryEntry{}, err
	}
	var merged model.RegistryEntry
	err := db.write(func(tx pgx.Tx) error {
		if err := lockRegistry(tx); err != nil {
			return err
		}
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
		merged = store.MergeRegistryEntries(target, source)
		now := db.now()
		merged.UpdatedAt, merged.UpdatedBy = now, who
		if p := store.RegistryEntryProblem(merged); p != "" {
			return fmt.Errorf("%w: %s", store.ErrRegistryEntry, p)
		}
		action := store.RegistryMergeAction(target, source)
		if err := db.relink(tx, from, into, "registry: "+action, now); err != nil {
			return err
		}
		if err := putRegistry(tx, merged); err != nil {
			return err
		}
		if _, err := tx.Exec(bg, `DELETE FROM registry WHERE id = $1`, from); err != nil {
			return err
		}
		return addRegistryChange(tx, store.RegistryChange{Time: now, Who: who, Action: action, Entry: into, Before: &target, Merged: &source})
	})
	if err != nil {
		return model.RegistryEntry{}, err
	}
	return merged, nil
}

// relink saves every annotation with an entity linked to registry entry
// from, linked to into instead, each as a change with history and undo.
func (db *DB) relink(tx pgx.Tx, from, into, action string, now time.Time) error {
	rows, err := tx.Query(bg, `SELECT article_id, annotator, body FROM annotations
		WHERE body->'referents' @> jsonb_build_array(jsonb_build_object('registry', $1::text))
		ORDER BY article_id, annotator FOR UPDATE`, from)
	if err != nil {
		return err
	}
	type found struct {
		id, who string
		body    []byte
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (found, error) {
		var f found
		err := row.Scan(&f.id, &f.who, &f.body)
		return f, err
	})
	if err != nil {
		return err
	}
	for _, f := range list {
		a, err := decodeAnnotation(f.id, f.who, f.body)
		if err != nil {
			return err
		}
		next := a.Clone()
		for i := range next.Referents {
			if next.Referents[i].Registry == from {
				next.Referents[i].Registry = into
			}
		}
		if _, err := db.saveIn(tx, next, action, now); err != nil {
			return err
		}
	}
	return nil
}

// RegistryHistory calls fn for each registry change, oldest first.
func (db *DB) RegistryHistory(fn func(store.RegistryChange) error) error {
	var changes []store.RegistryChange
	err := db.read(func(tx pgx.Tx) error {
		var err error
		changes, err = registryChanges(tx)
		return err
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

func registryChanges(tx pgx.Tx) ([]store.RegistryChange, error) {
	rows, err := tx.Query(bg, `SELECT seq, at, who, action, entry, before, merged FROM registry_history ORDER BY seq`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.RegistryChange, error) {
		var c store.RegistryChange
		var seq int64
		var before, merged []byte
		if err := row.Scan(&seq, &c.Time, &c.Who, &c.Action, &c.Entry, &before, &merged); err != nil {
			return c, err
		}
		c.Seq, c.Time = uint64(seq), c.Time.UTC()
		for _, x := range []struct {
			data []byte
			to   **model.RegistryEntry
		}{{before, &c.Before}, {merged, &c.Merged}} {
			if x.data == nil {
				continue
			}
			var e model.RegistryEntry
			if err := json.Unmarshal(x.data, &e); err != nil {
				return c, fmt.Errorf("registry history entry %d is damaged: %v", seq, err)
			}
			*x.to = &e
		}
		return c, nil
	})
}
