package bolt

import (
	"encoding/binary"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store"
)

// buildLayout1 writes a database as the first release of annotate left it:
// layout 1 only (no status index, no undo stacks), with articles and the
// given annotations (raw JSON, keyed by article ID and annotator).
func buildLayout1(t *testing.T, path string, texts []string, anns map[[2]string]string) {
	t.Helper()
	b, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	err = b.Update(func(btx *bolt.Tx) error {
		tx := &txn{Tx: btx} // an old layout: values as they are
		if err := migrateTo(tx, 1); err != nil {
			return err
		}
		arts := tx.Bucket(bucketArticles)
		for _, text := range texts {
			seq, err := arts.NextSequence()
			if err != nil {
				return err
			}
			a := newArticle(text)
			a.ID = model.ArticleID(text)
			v, err := encodeArticle(a, seq)
			if err != nil {
				return err
			}
			if err := arts.Put([]byte(a.ID), v); err != nil {
				return err
			}
		}
		for k, v := range anns {
			if err := tx.Bucket(bucketAnnotations).Put(annotationKey(k[0], k[1]), []byte(v)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("build a layout 1 database: %v", err)
	}
}

// buckets lists the top-level buckets of the file at path.
func buckets(t *testing.T, path string) []string {
	t.Helper()
	b, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	var names []string
	_ = b.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, _ *bolt.Bucket) error {
			names = append(names, string(name))
			return nil
		})
	})
	return names
}

func TestMigrateFromLayout1(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	texts := []string{"old article one", "old article two 😀", "old article three"}
	id := func(i int) string { return model.ArticleID(texts[i]) }
	done := model.NewAnnotation(id(0), "alice", "conflict-incidents")
	done.Status, done.Rev, done.Notes = model.StatusDone, 4, "kept"
	doneJSON, _ := json.Marshal(done)
	anns := map[[2]string]string{
		{id(0), "alice"}: string(doneJSON),
		// Written before statuses existed: no status at all.
		{id(0), "bob"}: `{"article_id":"` + id(0) + `","annotator":"bob","rev":1}`,
		{id(2), "bob"}: `{"article_id":"` + id(2) + `","annotator":"bob","status":"skipped","rev":2}`,
	}
	buildLayout1(t, path, texts, anns)
	if v := storedVersionAt(t, path); v != 1 {
		t.Fatalf("test setup: layout %d, want 1", v)
	}
	if got := strings.Join(buckets(t, path), ","); strings.Contains(got, "status") || strings.Contains(got, "undo") {
		t.Fatalf("test setup: layout 1 already has %s", got)
	}

	db := openAt(t, path)
	if v := storedVersionAt(t, path); v != CurrentVersion {
		t.Errorf("after Open the layout is %d, want %d", v, CurrentVersion)
	}
	list := summaries(t, db)
	if len(list) != 3 {
		t.Fatalf("listed %d articles, want 3", len(list))
	}
	wantStatuses := []map[string]model.Status{
		{"alice": model.StatusDone, "bob": model.StatusTodo},
		nil,
		{"bob": model.StatusSkipped},
	}
	for i, s := range list {
		if s.ID != id(i) {
			t.Errorf("listing[%d] = %s, want %s", i, s.ID, id(i))
		}
		if len(s.Statuses) != len(wantStatuses[i]) || (len(s.Statuses) > 0 && !reflect.DeepEqual(s.Statuses, wantStatuses[i])) {
			t.Errorf("listing[%d].Statuses = %v, want %v", i, s.Statuses, wantStatuses[i])
		}
	}

	// The old annotation reads back unchanged and can be saved, undone and
	// listed like a new one.
	a := mustAnnotation(t, db, id(0), "alice")
	if a.Notes != "kept" || a.Rev != 4 {
		t.Errorf("migrated annotation = notes %q rev %d, want \"kept\" rev 4", a.Notes, a.Rev)
	}
	if _, _, err := db.Undo(id(0), "alice"); err == nil {
		t.Errorf("undo of a change made before the migration succeeded; want ErrNothingToUndo")
	}
	a.Status = model.StatusInProgress
	mustSave(t, db, a, "reopen")
	if got, _, err := db.Undo(id(0), "alice"); err != nil || got.Status != model.StatusDone {
		t.Errorf("undo after the migration: status %q, %v; want done", got.Status, err)
	}
	if added := addTexts(t, db, "new article after migration"); len(added) != 1 {
		t.Fatal("could not add an article")
	}
	if list := summaries(t, db); list[3].Seq <= list[2].Seq {
		t.Errorf("new article's Seq %d is not after the old ones (%d)", list[3].Seq, list[2].Seq)
	}
	if problems, err := db.Check(); err != nil || len(problems) > 0 {
		t.Errorf("Check after the migration: %v, %v", problems, err)
	}
}

// TestMigrationIsAllOrNothing: a migration that fails leaves the file at its
// old layout, not half migrated.
func TestMigrationIsAllOrNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	text := "article with a damaged annotation"
	buildLayout1(t, path, []string{text}, map[[2]string]string{
		{model.ArticleID(text), "alice"}: `{"article_id": "x", "status": `,
	})
	_, err := Open(path, Options{LockTimeout: time.Second})
	if err == nil {
		t.Fatal("Open migrated a database whose annotation is not JSON")
	}
	if !strings.Contains(err.Error(), "layout 2") {
		t.Errorf("error %q does not say which migration failed", err)
	}
	if v := storedVersionAt(t, path); v != 1 {
		t.Errorf("after a failed migration the layout is %d, want 1", v)
	}
	if got := strings.Join(buckets(t, path), ","); strings.Contains(got, "status") || strings.Contains(got, "undo") {
		t.Errorf("failed migration left buckets behind: %s", got)
	}
}

func TestOpenRefuses(t *testing.T) {
	tests := []struct {
		name  string
		build func(t *testing.T, path string)
		want  string
	}{
		{"newer layout", func(t *testing.T, path string) {
			openAt(t, path)
			setVersion(t, path, CurrentVersion+1)
		}, "newer"},
		{"much newer layout", func(t *testing.T, path string) {
			openAt(t, path)
			setVersion(t, path, 1<<40)
		}, "newer"},
		{"foreign bbolt file", func(t *testing.T, path string) {
			b, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			err = b.Update(func(tx *bolt.Tx) error {
				w, err := tx.CreateBucket([]byte("widgets"))
				if err != nil {
					return err
				}
				return w.Put([]byte("k"), []byte("v"))
			})
			if err != nil {
				t.Fatal(err)
			}
		}, "not an annotate database"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "x.db")
			tt.build(t, path)
			before, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			_, err = Open(path, Options{LockTimeout: time.Second})
			if err == nil {
				t.Fatal("Open succeeded, want a refusal")
			}
			for _, want := range []string{tt.want, path} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
			// A refused file is left exactly as it was.
			after, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if string(before) != string(after) {
				t.Errorf("Open changed a file it refused")
			}
		})
	}
}

func setVersion(t *testing.T, path string, v uint64) {
	t.Helper()
	b, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := b.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put(keyVersion, u64(v)) }); err != nil {
		t.Fatal(err)
	}
}

// TestMigrationsAreOrdered: the list is append-only and numbered 1, 2, ...
// so migrateTo can apply a prefix of it.
func TestMigrationsAreOrdered(t *testing.T) {
	for i, m := range migrations {
		if m.version != uint64(i+1) || m.name == "" || m.apply == nil {
			t.Errorf("migrations[%d] = version %d %q", i, m.version, m.name)
		}
	}
	if CurrentVersion != uint64(len(migrations)) {
		t.Errorf("CurrentVersion = %d with %d migrations", CurrentVersion, len(migrations))
	}
}

// TestOpenEmptyFile: a file of zero bytes (a copy that failed, or made by
// `touch`) is refused with a message saying what to do, and left as it is
// rather than written over.
func TestOpenEmptyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "empty.db")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Open(path, Options{LockTimeout: time.Second})
	if err == nil {
		t.Fatal("Open accepted an empty file")
	}
	for _, want := range []string{path, "empty file", "delete it"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
	if fi, err := os.Stat(path); err != nil || fi.Size() != 0 {
		t.Errorf("the refused empty file was changed: %v, %v", fi, err)
	}
}

// buildLayout2 writes a database as layout 2 left it, with raw JSON: the
// articles, the annotations, history entries (by sequence number) and undo
// stacks, keyed like the store keys them.
func buildLayout2(t *testing.T, path string, texts []string, anns map[[2]string]string, history map[uint64]string, undo map[[2]string]string) {
	t.Helper()
	buildLayoutAt(t, path, 2, texts, anns, history, undo)
}

// buildLayoutAt is buildLayout2 for any layout from 2 on.
func buildLayoutAt(t *testing.T, path string, layout uint64, texts []string, anns map[[2]string]string, history map[uint64]string, undo map[[2]string]string) {
	t.Helper()
	b, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	err = b.Update(func(btx *bolt.Tx) error {
		tx := &txn{Tx: btx} // an old layout: values as they are
		if err := migrateTo(tx, layout); err != nil {
			return err
		}
		arts := tx.Bucket(bucketArticles)
		for _, text := range texts {
			seq, err := arts.NextSequence()
			if err != nil {
				return err
			}
			a := newArticle(text)
			a.ID = model.ArticleID(text)
			v, err := encodeArticle(a, seq)
			if err != nil {
				return err
			}
			if err := arts.Put([]byte(a.ID), v); err != nil {
				return err
			}
		}
		for k, v := range anns {
			var a model.Annotation
			if err := json.Unmarshal([]byte(v), &a); err != nil {
				return err
			}
			if err := tx.Bucket(bucketAnnotations).Put(annotationKey(k[0], k[1]), []byte(v)); err != nil {
				return err
			}
			if err := putJSON(tx.Bucket(bucketStatus), annotationKey(k[0], k[1]), statusRecord{Status: a.Status, UpdatedAt: a.UpdatedAt}); err != nil {
				return err
			}
		}
		hist := tx.Bucket(bucketHistory)
		for seq, v := range history {
			if err := hist.Put(u64(seq), []byte(v)); err != nil {
				return err
			}
			if seq > hist.Sequence() {
				if err := hist.SetSequence(seq); err != nil {
					return err
				}
			}
		}
		for k, v := range undo {
			if err := tx.Bucket(bucketUndo).Put(annotationKey(k[0], k[1]), []byte(v)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("build a layout %d database: %v", layout, err)
	}
}

// TestMigrateFiguresFromLayout2: claims stored with one "figure" object (in
// the annotation, and in the states history keeps for undo) come back with
// a "figures" list holding the same figure as an exact one, and undo and
// redo still step through them.
func TestMigrateFiguresFromLayout2(t *testing.T) {
	path := filepath.Join(t.TempDir(), "layout2.db")
	text := "ISIS claimed 53 SDF fighters were killed and two vehicles destroyed."
	id := model.ArticleID(text)
	claim := func(id, figure string) string {
		return `{"id":"` + id + `","claimant":{"name":"ISIS"},"content":[{"start":13,"end":40}],"type":"casualties",` + figure + `"credibility":"4"}`
	}
	ann := func(rev int, claims ...string) string {
		return `{"article_id":"` + id + `","annotator":"alice","schema":"conflict-incidents","status":"in_progress",` +
			`"entities":[],"claims":[` + strings.Join(claims, ",") + `],"incidents":[],"sources":[],"updated_at":"2026-01-02T03:04:05Z","rev":` +
			strconv.Itoa(rev) + `,"next_id":3}`
	}
	current := ann(3, claim("c1", `"figure":{"value":53,"counts":"killed"},`), claim("c2", `"figure":{"value":2,"counts":"vehicles destroyed"},`))
	rev2 := ann(2, claim("c1", `"figure":{"value":40,"counts":"killed"},`))
	rev1 := ann(1, claim("c1", `"figure":null,`))
	empty := `{"article_id":"` + id + `","annotator":"alice","schema":"conflict-incidents","status":"todo","entities":null,"claims":null,"incidents":null,"sources":null,"updated_at":"0001-01-01T00:00:00Z","rev":0,"next_id":0}`
	entry := func(seq int, before string) string {
		return `{"seq":` + strconv.Itoa(seq) + `,"time":"2026-01-02T03:04:05Z","annotator":"alice","article_id":"` + id + `","action":"edit","before":` + before + `}`
	}
	buildLayout2(t, path, []string{text},
		map[[2]string]string{{id, "alice"}: current},
		map[uint64]string{1: entry(1, empty), 2: entry(2, rev1), 3: entry(3, rev2)},
		map[[2]string]string{{id, "alice"}: `{"undo":[1,2,3],"redo":null}`})
	if v := storedVersionAt(t, path); v != 2 {
		t.Fatalf("test setup: layout %d, want 2", v)
	}

	db := openAt(t, path)
	if v := storedVersionAt(t, path); v != CurrentVersion || CurrentVersion < 3 {
		t.Errorf("after Open the layout is %d, want %d (at least 3)", v, CurrentVersion)
	}
	exact := func(n int, counts string) []model.Figure {
		return []model.Figure{{Counts: counts, Value: &n, Qualifier: model.QualifierExact, Low: &n, High: &n}}
	}
	a := mustAnnotation(t, db, id, "alice")
	if len(a.Claims) != 2 || !reflect.DeepEqual(a.Claims[0].Figures, exact(53, "killed")) || !reflect.DeepEqual(a.Claims[1].Figures, exact(2, "vehicles destroyed")) {
		t.Fatalf("migrated claims = %+v", a.Claims)
	}
	if a.Rev != 3 || a.Claims[0].Credibility != "4" || a.Claims[0].Claimant.Name != "ISIS" {
		t.Errorf("migration changed other fields: %+v", a)
	}
	if errs := model.Validate(&a, text, model.DefaultSchema()); len(errs) > 0 {
		t.Errorf("migrated annotation is not valid: %v", errs)
	}

	// No stored record still holds the old field.
	raw := rawValues(t, db)
	for k, v := range raw {
		if strings.Contains(v, `"figure"`) {
			t.Errorf("%s still holds an old figure: %s", k, v)
		}
	}
	if !strings.Contains(raw["annotations/"+id+"/alice"], `"figures":[{"counts":"killed","value":53,"qualifier":"exact","low":53,"high":53}]`) {
		t.Errorf("stored annotation = %s", raw["annotations/"+id+"/alice"])
	}

	// Undo walks back through the migrated history.
	got, _, err := db.Undo(id, "alice")
	if err != nil || len(got.Claims) != 1 || !reflect.DeepEqual(got.Claims[0].Figures, exact(40, "killed")) {
		t.Fatalf("first undo: %+v, %v; want the claim with 40 killed", got.Claims, err)
	}
	got, _, err = db.Undo(id, "alice")
	if err != nil || len(got.Claims) != 1 || got.Claims[0].Figures != nil {
		t.Fatalf("second undo: %+v, %v; want the claim without figures", got.Claims, err)
	}
	got, _, err = db.Redo(id, "alice")
	if err != nil || !reflect.DeepEqual(got.Claims[0].Figures, exact(40, "killed")) {
		t.Fatalf("redo: %+v, %v", got.Claims, err)
	}
	got, _, err = db.Redo(id, "alice")
	if err != nil || len(got.Claims) != 2 || !reflect.DeepEqual(got.Claims[1].Figures, exact(2, "vehicles destroyed")) {
		t.Fatalf("second redo: %+v, %v", got.Claims, err)
	}
	var befores int
	err = db.History(id, "alice", func(e store.HistoryEntry) error {
		if e.Before != nil {
			befores++
		}
		return nil
	})
	if err != nil || befores != 7 {
		t.Errorf("history: %d entries with a state before, %v; want 7", befores, err)
	}
	if problems, err := db.Check(); err != nil || len(problems) > 0 {
		t.Errorf("Check after the migration: %v, %v", problems, err)
	}
}

// rawValues returns every stored annotation and history entry as JSON,
// keyed by bucket and key.
func rawValues(t *testing.T, db *DB) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := db.view(func(tx *txn) error {
		if err := tx.Bucket(bucketAnnotations).ForEach(func(k, v []byte) error {
			out["annotations/"+strings.ReplaceAll(string(k), "\x00", "/")] = string(v)
			return nil
		}); err != nil {
			return err
		}
		return tx.Bucket(bucketHistory).ForEach(func(k, v []byte) error {
			out["history/"+strconv.FormatUint(binary.BigEndian.Uint64(k), 10)] = string(v)
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestMigrateFiguresRefusesDamage: a figure that is not the old object
// stops the migration, naming the record, and leaves the file at layout 2.
func TestMigrateFiguresRefusesDamage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "layout2.db")
	text := "a damaged figure"
	id := model.ArticleID(text)
	buildLayout2(t, path, []string{text}, map[[2]string]string{
		{id, "alice"}: `{"article_id":"` + id + `","annotator":"alice","status":"todo","claims":[{"id":"c1","figure":"fifty"}]}`,
	}, nil, nil)
	_, err := Open(path, Options{LockTimeout: time.Second})
	if err == nil || !strings.Contains(err.Error(), "layout 3") || !strings.Contains(err.Error(), id) {
		t.Fatalf("Open = %v; want a refusal naming layout 3 and the annotation", err)
	}
	if v := storedVersionAt(t, path); v != 2 {
		t.Errorf("after a failed migration the layout is %d, want 2", v)
	}
}

// TestMigrateEntitiesFromLayout3: every mention of a layout 3 database (in
// the annotation and in the states history keeps for undo) gets an entity;
// in the annotation, mentions of the same text and label are then joined
// as one change that undo takes back; the registry buckets exist; every
// annotation is valid and Check passes.
func TestMigrateEntitiesFromLayout3(t *testing.T) {
	path := filepath.Join(t.TempDir(), "layout3.db")
	text := "ISIS claimed the attack. ISIS said 53 died; the SDF denied it, and Isis fighters fled Raqqa."
	id := model.ArticleID(text)
	plain := "Nothing here repeats: SDF in Raqqa."
	plainID := model.ArticleID(plain)
	at := func(s string, n int) (int, int) {
		i := -1
		for ; n > 0; n-- {
			i += 1 + strings.Index(text[i+1:], s)
		}
		return i, i + len(s)
	}
	span := func(sid, s string, n int, label string) string {
		st, en := at(s, n)
		return `{"id":"` + sid + `","start":` + strconv.Itoa(st) + `,"end":` + strconv.Itoa(en) + `,"label":"` + label + `"}`
	}
	e1, e2, e3 := span("e1", "ISIS", 1, "ORG"), span("e2", "ISIS", 2, "ORG"), span("e3", "SDF", 1, "ORG")
	// "Isis fighters" as PER: same letters, another label, so its own.
	e4 := span("e4", "Isis", 1, "PER")
	e5 := span("e5", "Raqqa", 1, "GPE")
	ann := func(rev int, spans ...string) string {
		return `{"article_id":"` + id + `","annotator":"alice","schema":"conflict-incidents","status":"in_progress",` +
			`"entities":[` + strings.Join(spans, ",") + `],"claims":[{"id":"c6","claimant":{"span":"e1"},"content":[{"start":25,"end":43}],"type":"casualties"}],` +
			`"incidents":[],"sources":[{"source":"ISIS","span":"e1","reliability":"E"}],"updated_at":"2026-01-02T03:04:05Z","rev":` + strconv.Itoa(rev) + `,"next_id":6}`
	}
	current := ann(3, e1, e2, e3, e4, e5)
	rev2 := ann(2, e1, e2)
	rev1 := ann(1, e1)
	empty := `{"article_id":"` + id + `","annotator":"alice","schema":"conflict-incidents","status":"todo","entities":null,"claims":null,"incidents":null,"sources":null,"updated_at":"0001-01-01T00:00:00Z","rev":0,"next_id":0}`
	entry := func(seq int, before string) string {
		return `{"seq":` + strconv.Itoa(seq) + `,"time":"2026-01-02T03:04:05Z","annotator":"alice","article_id":"` + id + `","action":"tag","before":` + before + `}`
	}
	plainAnn := `{"article_id":"` + plainID + `","annotator":"bob","schema":"conflict-incidents","status":"done",` +
		`"entities":[{"id":"e1","start":22,"end":25,"label":"ORG"},{"id":"e2","start":29,"end":34,"label":"GPE"}],"claims":[],"incidents":[],"sources":[],"rev":1,"next_id":2}`
	buildLayoutAt(t, path, 3, []string{text, plain},
		map[[2]string]string{{id, "alice"}: current, {plainID, "bob"}: plainAnn},
		map[uint64]string{1: entry(1, empty), 2: entry(2, rev1), 3: entry(3, rev2)},
		map[[2]string]string{{id, "alice"}: `{"undo":[1,2,3],"redo":null}`})
	if v := storedVersionAt(t, path); v != 3 {
		t.Fatalf("test setup: layout %d, want 3", v)
	}
	if got := strings.Join(buckets(t, path), ","); strings.Contains(got, "registry") {
		t.Fatalf("test setup: layout 3 already has %s", got)
	}

	db := openAt(t, path)
	if v := storedVersionAt(t, path); v != CurrentVersion || CurrentVersion < 4 {
		t.Errorf("after Open the layout is %d, want %d (at least 4)", v, CurrentVersion)
	}
	if got := strings.Join(buckets(t, path), ","); !strings.Contains(got, "registry,registry_history") {
		t.Errorf("buckets after the migration: %s; want registry and registry_history", got)
	}
	valid := func(what string, a model.Annotation, txt string) {
		t.Helper()
		if errs := model.Validate(&a, txt, model.DefaultSchema()); len(errs) > 0 {
			t.Errorf("%s is not valid: %v", what, errs)
		}
	}
	// groups lists each entity as "name label: span ids".
	groups := func(a model.Annotation) []string {
		var out []string
		for _, e := range a.Referents {
			var ids []string
			for _, s := range a.MentionsOf(e.ID) {
				ids = append(ids, s.ID)
			}
			out = append(out, e.Name+" "+e.Label+": "+strings.Join(ids, ","))
		}
		return out
	}

	a := mustAnnotation(t, db, id, "alice")
	valid("the migrated annotation", a, text)
	// "Isis" PER stays apart from ISIS ORG; the two ISIS ORG are one.
	if want := []string{"ISIS ORG: e1,e2", "SDF ORG: e3", "Isis PER: e4", "Raqqa GPE: e5"}; !reflect.DeepEqual(groups(a), want) {
		t.Errorf("migrated entities %q, want %q", groups(a), want)
	}
	isis, _ := a.EntityOfSpan("e1")
	if a.Rev != 4 || len(a.Sources) != 1 || a.Sources[0].Entity != isis.ID || a.Sources[0].Reliability != "E" || a.Claims[0].Claimant.SpanID != "e1" {
		t.Errorf("migrated annotation rev %d, sources %+v, claimant %q; want rev 4, the grade on ISIS's entity %s, claimant e1",
			a.Rev, a.Sources, a.Claims[0].Claimant.SpanID, isis.ID)
	}
	// Nothing repeats in bob's: each mention its own entity, no change
	// recorded.
	b := mustAnnotation(t, db, plainID, "bob")
	valid("bob's migrated annotation", b, plain)
	if want := []string{"SDF ORG: e1", "Raqqa GPE: e2"}; !reflect.DeepEqual(groups(b), want) || b.Rev != 1 {
		t.Errorf("bob's entities %q rev %d, want %q rev 1", groups(b), b.Rev, want)
	}
	var bobChanges int
	_ = db.History(plainID, "bob", func(store.HistoryEntry) error { bobChanges++; return nil })
	if bobChanges != 0 {
		t.Errorf("bob's annotation has %d changes recorded, want none (nothing was grouped)", bobChanges)
	}

	// The grouping is one change: undo gives each mention its own entity.
	got, action, err := db.Undo(id, "alice")
	if err != nil || action != groupAction {
		t.Fatalf("first undo: %q, %v; want the migration's grouping", action, err)
	}
	valid("the state before the grouping", got, text)
	if want := []string{"ISIS ORG: e1", "ISIS ORG: e2", "SDF ORG: e3", "Isis PER: e4", "Raqqa GPE: e5"}; !reflect.DeepEqual(groups(got), want) {
		t.Errorf("before the grouping %q, want %q", groups(got), want)
	}
	if got.Sources[0].Entity == "" || got.Sources[0].Entity != got.Entities[0].Entity {
		t.Errorf("before the grouping the grade is on %q, want e1's entity %q", got.Sources[0].Entity, got.Entities[0].Entity)
	}
	// Further back, the states history kept have their entities too.
	got, _, err = db.Undo(id, "alice")
	if err != nil {
		t.Fatal(err)
	}
	valid("rev 2 from history", got, text)
	if want := []string{"ISIS ORG: e1,e2"}; !reflect.DeepEqual(groups(got), want) {
		t.Errorf("rev 2 from history: %q, want %q", groups(got), want)
	}
	got, _, err = db.Undo(id, "alice")
	if err != nil || !reflect.DeepEqual(groups(got), []string{"ISIS ORG: e1"}) {
		t.Fatalf("rev 1 from history: %q, %v", groups(got), err)
	}
	valid("rev 1 from history", got, text)
	for range 3 {
		if got, _, err = db.Redo(id, "alice"); err != nil {
			t.Fatal(err)
		}
	}
	if want := []string{"ISIS ORG: e1,e2", "SDF ORG: e3", "Isis PER: e4", "Raqqa GPE: e5"}; !reflect.DeepEqual(groups(got), want) {
		t.Errorf("after redoing everything %q, want %q", groups(got), want)
	}
	for k, v := range rawValues(t, db) {
		var probe struct {
			Entities []model.Span `json:"entities"`
			Before   *struct {
				Entities []model.Span `json:"entities"`
			} `json:"before"`
		}
		if err := json.Unmarshal([]byte(v), &probe); err != nil {
			t.Fatalf("%s: %v", k, err)
		}
		spans := probe.Entities
		if probe.Before != nil {
			spans = probe.Before.Entities
		}
		for _, s := range spans {
			if s.Entity == "" {
				t.Errorf("%s still holds a mention without an entity: %s", k, v)
			}
		}
	}
	if problems, err := db.Check(); err != nil || len(problems) > 0 {
		t.Errorf("Check after the migration: %v, %v", problems, err)
	}
	if list := registryList(t, db); len(list) != 0 {
		t.Errorf("the migration filled the registry: %+v", list)
	}
}

// TestMigrationBacksUpFirst: upgrading a file's layout first writes a copy
// of it as it was, beside it, and names it (issue 12, part 12).
func TestMigrationBacksUpFirst(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	texts := []string{"old article one"}
	buildLayout1(t, path, texts, nil)
	db, err := Open(path, Options{LockTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if db.MigrationBackup == "" || !strings.HasPrefix(db.MigrationBackup, path+".layout1-") {
		t.Fatalf("MigrationBackup %q, want a copy beside the file", db.MigrationBackup)
	}
	if v := storedVersionAt(t, db.MigrationBackup); v != 1 {
		t.Errorf("the backup is at layout %d, want the old layout 1", v)
	}
	copyDB, err := OpenReadOnly(db.MigrationBackup, Options{LockTimeout: time.Second})
	if err != nil {
		t.Fatalf("the backup does not open: %v", err)
	}
	copyDB.Close()
	again, err := Open(path, Options{LockTimeout: time.Second})
	if err != nil || again.MigrationBackup != "" {
		t.Errorf("a second open backed up again: %q (%v)", again.MigrationBackup, err)
	}
}
