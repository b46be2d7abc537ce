package postgres

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store"
)

// The registry's rules are bbolt's (store/bolt/registry.go): one entry per
// actor (no two entries of one label go by one name), names trimmed,
// repeated aliases and external ids dropped. Both stores state them
// alike; the contract suite (store/storetest) holds them to it.

// ErrRegistryEntry marks a registry change refused because of what it
// asks for (an empty name, a name another entry has): the caller's input,
// not the database, is at fault.
var ErrRegistryEntry = errors.New("registry entry refused")

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

// registryLess orders entries by name (NameKey), then by id number, so
// "r2" comes before "r10".
func registryLess(a, b model.RegistryEntry) bool {
	if ka, kb := model.NameKey(a.Name), model.NameKey(b.Name); ka != kb {
		return ka < kb
	}
	return idLess(a.ID, b.ID)
}

func idLess(a, b string) bool {
	na, ea := strconv.Atoi(strings.TrimPrefix(a, "r"))
	nb, eb := strconv.Atoi(strings.TrimPrefix(b, "r"))
	if ea == nil && eb == nil && na != nb {
		return na < nb
	}
	return a < b
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
	sort.SliceStable(list, func(i, j int) bool { return registryLess(list[i], list[j]) })
	for _, e := range list {
		if err := fn(e); err != nil {
			return err
		}
	}
	return nil
}

// tidy trims the names, drops aliases repeating the name or each other
// (by NameKey) and repeated external ids, and says what is wrong with the
// entry then ("" when nothing).
func tidy(e *model.RegistryEntry) string {
	e.Name = strings.TrimSpace(e.Name)
	e.Label = strings.TrimSpace(e.Label)
	e.Aliases = namesAfter([]string{e.Name}, e.Aliases)[1:]
	if len(e.Aliases) == 0 {
		e.Aliases = nil
	}
	e.ExternalIDs = namesAfter(nil, e.ExternalIDs)
	return problem(*e)
}

// problem says what makes an entry unfit to keep ("" when nothing): what
// SaveRegistry refuses and Check reports.
func problem(e model.RegistryEntry) string {
	switch {
	case strings.TrimSpace(e.Name) == "":
		return "an entry needs a name"
	case hasControl(e.Name):
		return fmt.Sprintf("name %q holds a line break or control character", e.Name)
	case e.Label == "":
		return "an entry needs a label"
	}
	for _, a := range e.Aliases {
		if strings.TrimSpace(a) == "" || hasControl(a) {
			return fmt.Sprintf("alias %q is blank or holds a line break or control character", a)
		}
	}
	for _, x := range e.ExternalIDs {
		scheme, id, ok := strings.Cut(x, ":")
		if !ok || strings.TrimSpace(scheme) == "" || strings.TrimSpace(id) == "" || hasControl(x) {
			return fmt.Sprintf("external id %q is not scheme:id (wikidata:Q1325475, acled:...)", x)
		}
	}
	return ""
}

func hasControl(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) })
}

// namesAfter returns base followed by the names of more base lacks
// (compared by NameKey), trimmed, blank ones left out.
func namesAfter(base, more []string) []string {
	out := slices.Clone(base)
	seen := map[string]bool{}
	for _, n := range out {
		seen[model.NameKey(n)] = true
	}
	for _, n := range more {
		n = strings.TrimSpace(n)
		if k := model.NameKey(n); n != "" && !seen[k] {
			seen[k] = true
			out = append(out, n)
		}
	}
	return out
}

// nameTaken returns another entry of e's label that already goes by e's
// name (as its name or an alias), and that name ("" when none does).
func nameTaken(tx pgx.Tx, e model.RegistryEntry) (model.RegistryEntry, string, error) {
	all, err := allRegistry(tx)
	if err != nil {
		return model.RegistryEntry{}, "", err
	}
	key := model.NameKey(e.Name)
	for _, o := range all {
		if o.ID == e.ID || o.Label != e.Label {
			continue
		}
		for _, n := range o.Names() {
			if model.NameKey(n) == key {
				return o, n, nil
			}
		}
	}
	return model.RegistryEntry{}, "", nil
}

// SaveRegistry adds an entry (e.ID "") or changes one, refusing an empty
// name and a name another entry of the label goes by.
func (db *DB) SaveRegistry(e model.RegistryEntry, who, action string) (model.RegistryEntry, error) {
	if p := tidy(&e); p != "" {
		return e, fmt.Errorf("%w: %s", ErrRegistryEntry, p)
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
			e.ID = "r" + strconv.FormatInt(n, 10)
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
			before = &prev
			if act == "" {
				act = "change"
			}
		}
		if o, name, err := nameTaken(tx, e); err != nil {
			return err
		} else if name != "" {
			also := ""
			if name != o.Name {
				also = fmt.Sprintf(" (%q is its alias)", name)
			}
			return fmt.Errorf("%w: the registry already has %s %q as %s%s: merge the two, or choose another name", ErrRegistryEntry, o.Label, o.Name, o.ID, also)
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
	if into == from {
		return model.RegistryEntry{}, fmt.Errorf("%w: cannot merge %s into itself", ErrRegistryEntry, into)
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
		merged = target
		merged.Aliases = namesAfter([]string{target.Name}, append(append(slices.Clone(target.Aliases), source.Name), source.Aliases...))[1:]
		if len(merged.Aliases) == 0 {
			merged.Aliases = nil
		}
		merged.ExternalIDs = namesAfter(slices.Clone(target.ExternalIDs), source.ExternalIDs)
		if merged.Grade == nil && source.Grade != nil {
			g := *source.Grade
			merged.Grade = &g
		}
		now := db.now()
		merged.UpdatedAt, merged.UpdatedBy = now, who
		if p := problem(merged); p != "" {
			return fmt.Errorf("%w: %s", ErrRegistryEntry, p)
		}
		action := fmt.Sprintf("merge %s %q into %s %q", source.ID, source.Name, target.ID, target.Name)
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
