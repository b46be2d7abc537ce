package postgres

import (
	"encoding/json"
	"fmt"
	"slices"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store"
)

// Check verifies what PostgreSQL's own constraints do not: the version,
// every article's text against its id, every record decoding, every
// annotation's ranges inside its text, the stacks and the registry.
// PostgreSQL keeps its pages whole itself (and `pg_amcheck` checks them);
// foreign keys keep history, stacks and claims pointing at what exists.
func (db *DB) Check() ([]string, error) {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	err := db.read(func(tx pgx.Tx) error {
		problems = nil
		version, err := storedVersion(bg, tx)
		if err != nil {
			return err
		}
		if version != CurrentVersion {
			add("version is %d, expected %d", version, CurrentVersion)
		}
		texts := map[string]string{}
		rows, err := tx.Query(bg, `SELECT id, title, source, length, meta, text FROM articles ORDER BY seq`)
		if err != nil {
			return err
		}
		var id, title, source string
		var length int
		var meta, text []byte
		if _, err := pgx.ForEachRow(rows, []any{&id, &title, &source, &length, &meta, &text}, func() error {
			var a model.Article
			switch {
			case json.Unmarshal(meta, &a) != nil:
				add("article %s: its metadata does not decode", id)
			case model.ArticleID(string(text)) != id:
				add("article %s: text does not match its id", id)
			case !utf8.Valid(text):
				add("article %s: text is not valid UTF-8", id)
			case a.ID != id || a.Title != title || a.Source != source || length != utf8.RuneCount(text):
				add("article %s: its title, source or length column differs from its metadata", id)
			}
			texts[id] = string(text)
			return nil
		}); err != nil {
			return err
		}
		rows, err = tx.Query(bg, `SELECT article_id, annotator, rev, status, review, body FROM annotations ORDER BY article_id, annotator`)
		if err != nil {
			return err
		}
		var who, status, review string
		var rev int
		var body []byte
		if _, err := pgx.ForEachRow(rows, []any{&id, &who, &rev, &status, &review, &body}, func() error {
			a, err := decodeAnnotation(id, who, body)
			if err != nil {
				add("%v", err)
				return nil
			}
			if a.ArticleID != id || a.Annotator != who || a.Rev != rev || string(a.Status) != status || store.ReviewState(&a) != review {
				add("annotation of %s by %s: its columns (rev %d, status %s, review %q) differ from its body (%s by %s, rev %d, status %s, review %q)",
					id, who, rev, status, review, a.ArticleID, a.Annotator, a.Rev, a.Status, store.ReviewState(&a))
			}
			for _, p := range outsideText(a, texts[id]) {
				add("article %s, annotator %s: %s", id, who, p)
			}
			return nil
		}); err != nil {
			return err
		}
		rows, err = tx.Query(bg, `SELECT seq, article_id, annotator, before FROM history ORDER BY seq`)
		if err != nil {
			return err
		}
		var seq int64
		if _, err := pgx.ForEachRow(rows, []any{&seq, &id, &who, &body}, func() error {
			if _, err := decodeAnnotation(id, who, body); err != nil {
				add("history entry %d: %v", seq, err)
			}
			return nil
		}); err != nil {
			return err
		}
		// An undo entry must name a change of its own annotation, or undo
		// would restore another's state.
		rows, err = tx.Query(bg, `SELECT u.article_id, u.annotator, u.seq FROM undo_stack u JOIN history h ON h.seq = u.seq
			WHERE h.article_id <> u.article_id OR h.annotator <> u.annotator`)
		if err != nil {
			return err
		}
		if _, err := pgx.ForEachRow(rows, []any{&id, &who, &seq}, func() error {
			add("undo record of %s by %s names history entry %d, a change of another annotation", id, who, seq)
			return nil
		}); err != nil {
			return err
		}
		return checkRegistry(tx, add)
	})
	return problems, err
}

// outsideText lists the ranges of an annotation that do not fit its
// article's text (past its end, empty, or cutting a character): what an
// export would fail on. The rules of a good span (no white space at its
// edges, known labels) are model.Validate's, which `annotate check` runs
// besides.
func outsideText(a model.Annotation, text string) []string {
	var out []string
	check := func(what string, r model.Range) {
		if err := model.CheckRange(text, r.Start, r.End); err != nil {
			out = append(out, fmt.Sprintf("%s: %v", what, err))
		}
	}
	for _, s := range a.Entities {
		check("entities["+s.ID+"]", s.Range())
	}
	for _, c := range a.Claims {
		if c.Cue != nil {
			check("claims["+c.ID+"].cue", *c.Cue)
		}
		for j, r := range c.Content {
			check(fmt.Sprintf("claims[%s].content[%d]", c.ID, j), r)
		}
	}
	for i, r := range a.Rejected {
		check(fmt.Sprintf("rejected[%d]", i), model.Range{Start: r.Start, End: r.End})
	}
	return out
}

// checkRegistry reports registry entries that do not decode or are not
// sane, two entries of one actor, registry history that does not decode,
// and links to entries that do not exist and were never merged away.
func checkRegistry(tx pgx.Tx, add func(string, ...any)) error {
	var rc store.RegistryCheck
	rows, err := tx.Query(bg, `SELECT id, label, name, entry FROM registry`)
	if err != nil {
		return err
	}
	var ids []string
	entries := map[string]model.RegistryEntry{}
	var id, label, name string
	var data []byte
	if _, err := pgx.ForEachRow(rows, []any{&id, &label, &name, &data}, func() error {
		var e model.RegistryEntry
		if err := json.Unmarshal(data, &e); err != nil {
			add("registry entry %s is damaged: %v", id, err)
			return nil
		}
		ids = append(ids, id)
		entries[id] = e
		if e.ID != id || e.Label != label || e.Name != name {
			add("registry entry %s holds id %q, label %q, name %q", id, e.ID, e.Label, e.Name)
		}
		if p := store.RegistryEntryProblem(e); p != "" {
			add("registry entry %s: %s", id, p)
		}
		return nil
	}); err != nil {
		return err
	}
	// By id number, so a duplicate is named after the older entry.
	slices.SortFunc(ids, func(a, b string) int {
		if store.RegistryIDLess(a, b) {
			return -1
		}
		if store.RegistryIDLess(b, a) {
			return 1
		}
		return 0
	})
	for _, id := range ids {
		if p := rc.Entry(id, entries[id]); p != "" {
			add("%s", p)
		}
	}
	changes, err := registryChanges(tx)
	if err != nil {
		add("%v", err)
	}
	for _, c := range changes {
		rc.Change(c)
	}
	rows, err = tx.Query(bg, `SELECT article_id, annotator, body FROM annotations WHERE jsonb_typeof(body->'referents') = 'array'
		AND EXISTS (SELECT 1 FROM jsonb_array_elements(body->'referents') r WHERE r->>'registry' <> '')
		ORDER BY article_id, annotator`)
	if err != nil {
		return err
	}
	var who string
	_, err = pgx.ForEachRow(rows, []any{&id, &who, &data}, func() error {
		a, err := decodeAnnotation(id, who, data)
		if err != nil {
			return nil // reported with the annotations
		}
		for _, p := range rc.Links(a) {
			add("%s", p)
		}
		return nil
	})
	return err
}
