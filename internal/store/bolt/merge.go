package bolt

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"sort"
	"time"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store"
)

// OpenReadOnly opens another annotate database to read from (to merge it
// into this one) without ever writing to it: no file is created, no layout
// is upgraded in place, every write is refused. A file of an older layout
// is copied (one consistent read transaction) to a temporary file, which is
// upgraded and read instead, and removed by Close. A file that does not
// exist, is not an annotate database, is damaged, is held by another
// process for longer than the lock timeout, or was written by a newer
// annotate is refused with one error naming it.
func OpenReadOnly(path string, opts Options) (*DB, error) {
	if opts.LockTimeout <= 0 {
		opts.LockTimeout = DefaultLockTimeout
	}
	db := &DB{path: path, lockTimeout: opts.LockTimeout, Now: time.Now, readOnly: true}
	fi, err := os.Stat(path)
	switch {
	case err != nil:
		return nil, db.describe(err)
	case fi.IsDir():
		return nil, fmt.Errorf("database %s is a folder, not a file", path)
	case !fi.Mode().IsRegular():
		return nil, fmt.Errorf("database %s is %s, not a regular file", path, store.FileKind(fi.Mode()))
	case fi.Size() == 0:
		return nil, fmt.Errorf("database %s is an empty file, not an annotate database", path)
	}
	var version uint64
	if err := db.view(func(tx *txn) error {
		version = storedVersion(tx)
		return nil
	}); err != nil {
		return nil, err
	}
	switch {
	case version == 0:
		return nil, fmt.Errorf("database %s is not an annotate database (a bbolt file without annotate's layout): check the file name", path)
	case version > CurrentVersion:
		return nil, fmt.Errorf("database %s was written by a newer annotate (layout %d; this one reads up to %d): upgrade annotate", path, version, CurrentVersion)
	case version == CurrentVersion:
		return db, nil
	}
	tmp, err := os.CreateTemp("", "annotate-read-*.db")
	if err != nil {
		return nil, fmt.Errorf("read database %s: %w", path, err)
	}
	err = db.view(func(tx *txn) error {
		_, err := tx.WriteTo(tmp)
		return err
	})
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp.Name())
		return nil, err
	}
	snap := &DB{path: tmp.Name(), lockTimeout: opts.LockTimeout, Now: time.Now, shown: path}
	if err := snap.update(migrate); err != nil {
		os.Remove(tmp.Name())
		return nil, fmt.Errorf("read database %s (layout %d): %w", path, version, err)
	}
	snap.readOnly, snap.snapshot = true, tmp.Name()
	return snap, nil
}

// mergeBatch is how many of the other database's articles one write
// transaction of Merge covers.
const mergeBatch = 128

// theirRecord is one article of the other database with everything a
// merge copies of it.
type theirRecord struct {
	rec store.Record
	// history holds, per annotator, the history entries of the
	// annotator's changes to the article, oldest first, and stacks their
	// undo and redo stacks.
	history map[string][]store.HistoryEntry
	stacks  map[string]undoStacks
}

// Merge copies another annotate database into this one: its articles
// (matched by id, the hash of the text, after checking the texts are the
// same), its annotations with their history and undo stacks, and its
// registry entries (matched by label and name or alias; the others added
// with ids of this database, and every registry link remapped). It never
// changes a record this database holds: an annotation its annotator has
// here differently is a conflict, kept under ConflictName unless
// opts.Prefer says otherwise. Identical annotations are already present,
// so merging twice adds nothing. The other database is only read.
//
// What is kept of history: an annotation stored under a new annotator
// (name) gets every history entry of its changes in the other database
// (who, when, the action and the state before, with the annotator and
// registry links rewritten as stored here), appended after this
// database's own entries, and its undo and redo stacks, so undo walks back
// through them as it did there; then one entry "merge from SOURCE" records
// the merge (not on the undo stack). An annotation saved over one of
// this database's (an empty one, or with PreferTheirs a conflicting one)
// is one new revision, undoable, and the other's history of it is not
// copied. The other's registry history is not copied either: each entry
// added gets one change naming the source and the entry's id there.
func (db *DB) Merge(other *DB, opts store.MergeOptions) (store.MergeResult, error) {
	var res store.MergeResult
	if same, _ := sameFile(db.path, other.path); same || (other.shown != "" && sameFileIgnore(db.path, other.shown)) {
		return res, fmt.Errorf("%s is this database: merge another one", other.name())
	}
	if opts.Source == "" {
		opts.Source = store.SourceName(other.name())
	}
	regMap, err := db.mergeRegistry(other, opts, &res)
	if err != nil {
		return res, err
	}
	var batch []store.Record
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		recs, err := other.withHistory(batch)
		if err != nil {
			return err
		}
		batch = batch[:0]
		return db.update(func(tx *txn) error {
			for _, r := range recs {
				if err := db.mergeArticle(tx, r, regMap, opts, &res); err != nil {
					return err
				}
			}
			return nil
		})
	}
	err = other.Each(store.Filter{All: true}, func(r store.Record) error {
		batch = append(batch, r)
		if len(batch) >= mergeBatch {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	return res, err
}

func sameFile(a, b string) (bool, error) {
	fa, err := os.Stat(a)
	if err != nil {
		return false, err
	}
	fb, err := os.Stat(b)
	if err != nil {
		return false, err
	}
	return os.SameFile(fa, fb), nil
}

func sameFileIgnore(a, b string) bool {
	same, _ := sameFile(a, b)
	return same
}

// matchEntry finds the entry of ours that is their entry: same label and
// its canonical name ours' name, else one of ours' aliases, else any of
// their names one of ours' (in that order, so an alias two groups share
// decides last).
func matchEntry(ours []model.RegistryEntry, e model.RegistryEntry) (model.RegistryEntry, bool) {
	name := model.NameKey(e.Name)
	for pass := 0; pass < 3; pass++ {
		for _, o := range ours {
			if o.Label != e.Label {
				continue
			}
			switch pass {
			case 0:
				if model.NameKey(o.Name) == name {
					return o, true
				}
			case 1:
				if slices.ContainsFunc(o.Aliases, func(a string) bool { return model.NameKey(a) == name }) {
					return o, true
				}
			case 2:
				for _, n := range e.Names() {
					if slices.ContainsFunc(o.Names(), func(m string) bool { return model.NameKey(m) == model.NameKey(n) }) {
						return o, true
					}
				}
			}
		}
	}
	return model.RegistryEntry{}, false
}

// mergeRegistry maps each of the other's registry entries to one of ours,
// adding those ours lacks, and returns the map of their ids to ours.
func (db *DB) mergeRegistry(other *DB, opts store.MergeOptions, res *store.MergeResult) (map[string]string, error) {
	var theirs []model.RegistryEntry
	if err := other.view(func(tx *txn) error {
		var err error
		theirs, err = allRegistry(tx)
		return err
	}); err != nil {
		return nil, err
	}
	sort.SliceStable(theirs, func(i, j int) bool { return store.RegistryIDLess(theirs[i].ID, theirs[j].ID) })
	res.Registry = len(theirs)
	ids := map[string]string{}
	err := db.update(func(tx *txn) error {
		ours, err := allRegistry(tx)
		if err != nil {
			return err
		}
		b := tx.Bucket(bucketRegistry)
		now := db.Now().UTC()
		for _, e := range theirs {
			if o, ok := matchEntry(ours, e); ok {
				ids[e.ID] = o.ID
				continue
			}
			add := e
			add.Aliases, add.ExternalIDs = slices.Clone(e.Aliases), slices.Clone(e.ExternalIDs)
			if p := store.TidyRegistryEntry(&add); p != "" {
				// Not fit to keep (a damaged entry): its links go.
				continue
			}
			// Entries added by this merge are not matched against (two of
			// theirs may share an alias), but a name one of them already
			// goes by would make two entries of one actor.
			if o, name, err := sameNameAndLabel(tx, add); err != nil {
				return err
			} else if name != "" {
				ids[e.ID] = o.ID
				continue
			}
			seq, err := b.NextSequence()
			if err != nil {
				return err
			}
			add.ID = store.RegistryID(seq)
			if err := putJSON(b, []byte(add.ID), add); err != nil {
				return err
			}
			action := fmt.Sprintf("merge from %s: add (%s there)", opts.Source, e.ID)
			if err := addRegistryChange(tx, store.RegistryChange{Time: now, Who: opts.Who, Action: action, Entry: add.ID}); err != nil {
				return err
			}
			ids[e.ID] = add.ID
			res.NewRegistry++
		}
		return nil
	})
	return ids, err
}

// withHistory reads, in one transaction, the history entries (with the
// state before each) and undo stacks of the records' annotations.
func (db *DB) withHistory(recs []store.Record) ([]theirRecord, error) {
	out := make([]theirRecord, len(recs))
	err := db.view(func(tx *txn) error {
		hist, err := bucket(tx, bucketHistory)
		if err != nil {
			return err
		}
		for i, r := range recs {
			t := theirRecord{rec: r, history: map[string][]store.HistoryEntry{}, stacks: map[string]undoStacks{}}
			for _, a := range r.Annotations {
				key := annotationKey(r.Article.ID, a.Annotator)
				prefix := chainPrefix(key)
				w := historyWalker{states: map[string]walkState{}}
				c := hist.Cursor()
				for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
					if len(k) != len(prefix)+8 {
						return fmt.Errorf("database %s: history entry %x is damaged", db.name(), k)
					}
					e, err := w.entry(tx, key, binary.BigEndian.Uint64(k[len(prefix):]))
					if err != nil {
						return fmt.Errorf("database %s: %w", db.name(), err)
					}
					t.history[a.Annotator] = append(t.history[a.Annotator], e)
				}
				t.stacks[a.Annotator] = undoStacks{Undo: stack(tx, key, 'u'), Redo: stack(tx, key, 'r')}
			}
			out[i] = t
		}
		return nil
	})
	return out, err
}

// mergeArticle brings one article of the other database and its
// annotations in, inside tx.
func (db *DB) mergeArticle(tx *txn, t theirRecord, regMap map[string]string, opts store.MergeOptions, res *store.MergeResult) error {
	art := t.rec.Article
	res.Articles++
	problem := func(why string) error {
		res.Problems = append(res.Problems, store.MergeProblem{ArticleID: art.ID, Title: art.Title, Why: why})
		return nil
	}
	if model.ArticleID(art.Text) != art.ID {
		return problem("its text does not match its id (the other database is damaged): left out with its annotations")
	}
	arts := tx.Bucket(bucketArticles)
	if v := arts.Get([]byte(art.ID)); v != nil {
		_, text, err := decodeArticleMeta(v)
		if err != nil {
			return fmt.Errorf("article %s: %w", art.ID, err)
		}
		if !bytes.Equal(text, []byte(art.Text)) {
			return problem("its text differs from this database's article of the same id: left out with its annotations")
		}
	} else {
		if err := insertArticle(tx, art); err != nil {
			return err
		}
		res.NewArticles++
	}
	// A gold annotation's decisions name annotators: those stored here
	// under a marked name are renamed in them, so they are settled first.
	anns := slices.Clone(t.rec.Annotations)
	sort.SliceStable(anns, func(i, j int) bool {
		di, dj := len(anns[i].Decisions) > 0, len(anns[j].Decisions) > 0
		if di != dj {
			return dj
		}
		return anns[i].Annotator < anns[j].Annotator
	})
	renames := map[string]string{}
	for _, theirs := range anns {
		res.Annotations++
		if err := db.mergeAnnotation(tx, art, theirs, t, regMap, renames, opts, res); err != nil {
			return err
		}
	}
	return nil
}

// asStored is an annotation of the other database as it is stored here:
// under annotator name, its registry links mapped to this database's
// entries (a link to an entry the other no longer has is dropped), and the
// annotators its decisions name renamed as stored here.
func asStored(a model.Annotation, name string, regMap, renames map[string]string) model.Annotation {
	a = a.Clone()
	a.Annotator = name
	for i := range a.Referents {
		if r := a.Referents[i].Registry; r != "" {
			a.Referents[i].Registry = regMap[r]
		}
	}
	rename := func(n string) string {
		if to, ok := renames[n]; ok {
			return to
		}
		return n
	}
	for i := range a.Decisions {
		d := &a.Decisions[i]
		for j := range d.From {
			d.From[j] = rename(d.From[j])
		}
		if d.Seen != nil {
			seen := make(map[string]string, len(d.Seen))
			for k, v := range d.Seen {
				seen[rename(k)] = v
			}
			d.Seen = seen
		}
	}
	return a
}

func (db *DB) mergeAnnotation(tx *txn, art model.Article, theirs model.Annotation, t theirRecord, regMap, renames map[string]string, opts store.MergeOptions, res *store.MergeResult) error {
	who := theirs.Annotator
	in := asStored(theirs, who, regMap, renames)
	cur, exists, err := getAnnotation(tx, art.ID, who)
	if err != nil {
		return err
	}
	conflict := func(keptAs string) {
		res.Conflicts = append(res.Conflicts, store.MergeConflict{ArticleID: art.ID, Title: art.Title, Annotator: who, KeptAs: keptAs})
	}
	switch {
	case !exists:
		res.NewAnnotations++
		return db.mergeNew(tx, in, t, who, regMap, renames, opts, res)
	case store.SameAnnotation(cur, in), in.IsEmpty():
		return nil
	case cur.IsEmpty():
		res.NewAnnotations++
		return db.mergeOver(tx, cur, in, "merge from "+opts.Source)
	case opts.Prefer == store.PreferOurs:
		conflict("")
		return nil
	case opts.Prefer == store.PreferTheirs:
		conflict("")
		res.NewAnnotations++
		return db.mergeOver(tx, cur, in, "merge from "+opts.Source+" (theirs preferred)")
	}
	for k := 1; ; k++ {
		name := store.ConflictName(who, opts.Source, k)
		kept, exists, err := getAnnotation(tx, art.ID, name)
		if err != nil {
			return err
		}
		marked := asStored(theirs, name, regMap, renames)
		if !exists {
			renames[who] = name
			conflict(name)
			res.NewAnnotations++
			return db.mergeNew(tx, marked, t, who, regMap, renames, opts, res)
		}
		if store.SameAnnotation(kept, marked) {
			// Kept there by an earlier merge.
			renames[who] = name
			return nil
		}
	}
}

// mergeOver saves in over cur as a new revision its annotator can undo.
func (db *DB) mergeOver(tx *txn, cur, in model.Annotation, action string) error {
	in.Rev = cur.Rev
	in.NextID = max(in.NextID, cur.NextID)
	_, err := db.saveIn(tx, cur, true, in, action)
	return err
}

// mergeNew stores in, an annotation no one here has under its name, with
// the history and undo stacks of their annotator's changes (theirName).
// The copied changes are recorded as the differences between the states
// before them (the last one's to in), so every state before is kept.
func (db *DB) mergeNew(tx *txn, in model.Annotation, t theirRecord, theirName string, regMap, renames map[string]string, opts store.MergeOptions, res *store.MergeResult) error {
	hist := tx.Bucket(bucketHistory)
	key := annotationKey(in.ArticleID, in.Annotator)
	if in.Status == "" {
		in.Status = model.StatusTodo
	}
	if in.UpdatedAt.IsZero() {
		in.UpdatedAt = db.Now().UTC()
	}
	size := 0
	if data, err := json.Marshal(in); err == nil {
		size = len(data)
	}
	entries := t.history[theirName]
	befores := make([]model.Annotation, len(entries)+1)
	for i, e := range entries {
		befores[i] = model.NewAnnotation(in.ArticleID, in.Annotator, in.Schema)
		if e.Before != nil {
			befores[i] = asStored(*e.Before, in.Annotator, regMap, renames)
		}
	}
	befores[len(entries)] = in
	seqs := map[uint64]uint64{}
	var last uint64
	since := 0
	for i, e := range entries {
		seq, err := hist.NextSequence()
		if err != nil {
			return err
		}
		seqs[e.Seq] = seq
		meta := store.HistoryEntry{Time: e.Time, Annotator: in.Annotator, ArticleID: in.ArticleID, Action: e.Action}
		if since, err = appendChange(tx, key, seq, meta, &befores[i], &befores[i+1], last, since, size); err != nil {
			return err
		}
		last = seq
	}
	copied := len(entries)
	res.History += copied
	for _, s := range t.stacks[theirName].Undo {
		if n, ok := seqs[s]; ok {
			if err := pushUndo(tx, key, 'u', n); err != nil {
				return err
			}
		}
	}
	for _, s := range t.stacks[theirName].Redo {
		if n, ok := seqs[s]; ok {
			if err := pushUndo(tx, key, 'r', n); err != nil {
				return err
			}
		}
	}
	// The merge itself, in the log: its state before is the annotation
	// as stored, and it is not on the undo stack (undo steps through the
	// copied changes).
	seq, err := hist.NextSequence()
	if err != nil {
		return err
	}
	action := "merge from " + opts.Source
	if copied > 0 {
		action += fmt.Sprintf(" (%d %s copied)", copied, pluralWord(copied, "change", "changes"))
	}
	if in.Annotator != theirName {
		action += fmt.Sprintf(" as %s: %s there", in.Annotator, theirName)
	}
	meta := store.HistoryEntry{Time: db.Now().UTC(), Annotator: in.Annotator, ArticleID: in.ArticleID, Action: action}
	if since, err = appendChange(tx, key, seq, meta, &in, &in, last, since, size); err != nil {
		return err
	}
	if _, err := putAnnotation(tx, key, nil, nil, in, seq, since); err != nil {
		return err
	}
	return setStatus(tx, in.ArticleID, in.Annotator, queueState{}, queueStateOf(&in))
}

func pluralWord(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
