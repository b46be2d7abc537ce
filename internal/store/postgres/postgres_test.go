package postgres

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store"
	"github.com/annotate-tool/annotate/internal/store/postgres/pgtest"
)

// exec runs SQL on the test's schema directly, as another program would.
func exec(t *testing.T, url, sql string, args ...any) {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func addText(t *testing.T, db *DB, text string) string {
	t.Helper()
	a := model.Article{Text: text, Title: model.TitleFromText(text)}
	if _, err := db.AddArticles([]model.Article{a}); err != nil {
		t.Fatal(err)
	}
	return model.ArticleID(text)
}

func TestOpenMigratesOnce(t *testing.T) {
	u := pgtest.URL(t)
	// Two processes opening a new database at once: one creates the
	// tables, the other finds them.
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db, err := Open(context.Background(), u)
			if err == nil {
				db.Close()
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("open %d: %v", i, err)
		}
	}
	db := openTest(t, u)
	var versions []int
	rows, err := db.pool.Query(context.Background(), `SELECT version FROM schema_version ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	versions, err = pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		t.Fatal(err)
	}
	var want []int
	for _, m := range migrations {
		want = append(want, m.version)
	}
	if fmt.Sprint(versions) != fmt.Sprint(want) || CurrentVersion != 2 {
		t.Errorf("schema_version holds %v, want each migration once (up to %d)", versions, CurrentVersion)
	}
}

func TestOpenRefuses(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, u string) string
		want  string
	}{
		{"a newer annotate's database", func(t *testing.T, u string) string {
			openTest(t, u).Close()
			exec(t, u, `INSERT INTO schema_version (version, what) VALUES (99, 'from the future')`)
			return u
		}, "written by a newer annotate (version 99; this one reads up to 2): upgrade annotate"},
		{"another program's tables", func(t *testing.T, u string) string {
			exec(t, u, `CREATE TABLE articles (id int)`)
			return u
		}, `is not an annotate database (it has a table "articles" but no schema_version)`},
		{"no server", func(t *testing.T, u string) string {
			return "postgres://nobody@/nowhere?host=/nonexistent/socket/dir&connect_timeout=2"
		}, "cannot connect"},
		{"not a URL", func(t *testing.T, u string) string { return "postgres://a b@:x/" }, "check the URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := tt.setup(t, pgtest.URL(t))
			db, err := Open(context.Background(), u)
			if err == nil {
				db.Close()
				t.Fatal("Open succeeded, want a refusal")
			}
			if !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("Open error %q, want one line saying %q", err, tt.want)
			}
		})
	}
}

// TestOpenConnectionString: a key=value connection string works as well
// as a URL.
func TestOpenConnectionString(t *testing.T) {
	u, err := url.Parse(pgtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	parts := []string{"dbname=" + strings.TrimPrefix(u.Path, "/")}
	if u.User != nil {
		parts = append(parts, "user="+u.User.Username())
	}
	for k, v := range u.Query() {
		parts = append(parts, k+"="+v[0])
	}
	dsn := strings.Join(parts, " ")
	db := openTest(t, dsn)
	id := addText(t, db, "reached through a connection string")
	if _, err := openTest(t, u.String()).Article(id); err != nil {
		t.Errorf("the URL does not see what the connection string wrote: %v", err)
	}
}

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://ann:secret@db.example/annotate":          "postgres://ann:xxxxx@db.example/annotate",
		"postgres://ann@db.example/annotate?password=secret": "postgres://ann@db.example/annotate?password=xxxxx",
		"host=/tmp user=ann password=secret dbname=x":        "host=/tmp user=ann password=xxxxx dbname=x",
		"postgres://ann@db.example/annotate":                 "postgres://ann@db.example/annotate",
	} {
		if got := Redact(in); got != want || strings.Contains(got, "secret") {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestTwoHandles: two DBs on one database, like two screens on two
// machines, see each other's writes and refuse each other's stale saves.
func TestTwoHandles(t *testing.T) {
	u := pgtest.URL(t)
	db1, db2 := openTest(t, u), openTest(t, u)
	id := addText(t, db1, "shared article")
	if added, err := db2.AddArticles([]model.Article{{Text: "shared article"}}); err != nil || added[0] {
		t.Fatalf("second handle re-added an article: %v %v", added, err)
	}
	a1, _ := db1.Annotation(id, "alice")
	a2, _ := db2.Annotation(id, "alice")
	a1.Notes = "from screen 1"
	a1, err := db1.Save(a1, "screen 1")
	if err != nil {
		t.Fatal(err)
	}
	a2.Notes = "from screen 2"
	if _, err := db2.Save(a2, "screen 2"); !errors.Is(err, store.ErrConflict) {
		t.Errorf("stale save through the second handle: %v, want ErrConflict", err)
	}
	a2, _ = db2.Annotation(id, "alice")
	if a2.Notes != "from screen 1" || a2.Rev != a1.Rev {
		t.Errorf("second handle reads %q rev %d, want screen 1's rev %d", a2.Notes, a2.Rev, a1.Rev)
	}
	a2.Notes = "from screen 2"
	if _, err := db2.Save(a2, "screen 2"); err != nil {
		t.Fatal(err)
	}
	if got, _, err := db1.Undo(id, "alice"); err != nil || got.Notes != "from screen 1" {
		t.Errorf("undo through the first handle: %q, %v", got.Notes, err)
	}
}

// TestNULRefused: PostgreSQL's text and jsonb hold no NUL character (the
// article text, bytea, does): a note with one is refused, saying so, and
// nothing is stored.
func TestNULRefused(t *testing.T) {
	db := openTest(t, pgtest.URL(t))
	text := "a text with a \x00 inside"
	if _, err := db.AddArticles([]model.Article{{Text: text, Title: model.TitleFromText(text)}}); err == nil || !strings.Contains(err.Error(), "NUL character") {
		t.Errorf("an article titled with a NUL: %v, want a refusal naming the NUL character", err)
	}
	if _, err := db.AddArticles([]model.Article{{Text: text, Title: "a text with a NUL"}}); err != nil {
		t.Fatal(err)
	}
	id := model.ArticleID(text)
	a, _ := db.Annotation(id, "alice")
	a.Notes = "a note with a \x00"
	_, err := db.Save(a, "note")
	if err == nil || !strings.Contains(err.Error(), "NUL character") {
		t.Fatalf("Save of a note with NUL: %v, want a refusal naming the NUL character", err)
	}
	if got, _ := db.Annotation(id, "alice"); got.Rev != 0 {
		t.Errorf("the refused save was stored")
	}
	art, err := db.Article(id)
	if err != nil || art.Text != "a text with a \x00 inside" {
		t.Errorf("text with NUL: %q, %v", art.Text, err)
	}
}

// TestCheckFindsDamage: what someone changing the tables by hand can
// break, Check names.
func TestCheckFindsDamage(t *testing.T) {
	tests := []struct {
		name string
		sql  string
		want string
	}{
		{"text changed", `UPDATE articles SET text = 'changed'::bytea`, "text does not match its id"},
		{"title column out of step", `UPDATE articles SET title = 'other'`, "title, source or length column differs"},
		{"rev column out of step", `UPDATE annotations SET rev = 7`, `its columns (rev 7, status in_progress, review "") differ from its body`},
		{"review column out of step", `UPDATE annotations SET review = 'accepted' WHERE annotator = 'bob'`, `its columns (rev 1, status in_progress, review "accepted") differ from its body (` + "%s" + ` by bob, rev 1, status in_progress, review "")`},
		{"body not an annotation", `UPDATE annotations SET body = '{"entities": 3}'`, "is damaged"},
		{"span past the end", `UPDATE annotations SET body = jsonb_set(body, '{entities,0,end}', '900')`, "entities[e1]: range 0-900 is outside the text"},
		{"registry entry damaged", `UPDATE registry SET entry = '{"name": 5}'`, "registry entry r1 is damaged"},
		{"registry entry without a name", `UPDATE registry SET entry = jsonb_set(entry, '{name}', '""'), name = ''`, "registry entry r1: an entry needs a name"},
		{"link to no entry", `UPDATE annotations SET body = jsonb_set(body, '{referents,0,registry}', '"r9"')`, `links to registry entry "r9", which does not exist`},
		{"undo naming another's change", `INSERT INTO undo_stack SELECT article_id, 'bob', 'u', (SELECT min(seq) FROM history WHERE annotator = 'alice') FROM annotations WHERE annotator = 'bob'`, "a change of another annotation"},
		{"version", `INSERT INTO schema_version (version, what) VALUES (0, 'x'); DELETE FROM schema_version WHERE version >= 1`, "version is 0, expected 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := pgtest.URL(t)
			db := openTest(t, u)
			text := "ISIS in Raqqa"
			id := addText(t, db, text)
			r, err := db.SaveRegistry(model.RegistryEntry{Name: "ISIS", Label: "ORG"}, "alice", "")
			if err != nil {
				t.Fatal(err)
			}
			a := model.NewAnnotation(id, "alice", "conflict-incidents")
			a.Status = model.StatusInProgress
			a.Entities = []model.Span{{ID: "e1", Start: 0, End: 4, Label: "ORG"}}
			model.GroupMentions(&a, text)
			a.Referents[0].Registry = r.ID
			if _, err := db.Save(a, "tag"); err != nil {
				t.Fatal(err)
			}
			b := model.NewAnnotation(id, "bob", "")
			b.Status = model.StatusInProgress
			if _, err := db.Save(b, "open"); err != nil {
				t.Fatal(err)
			}
			if problems, err := db.Check(); err != nil || len(problems) > 0 {
				t.Fatalf("test setup: Check = %q, %v", problems, err)
			}
			if tt.name == "rev column out of step" {
				exec(t, u, `UPDATE annotations SET rev = 7 WHERE annotator = 'alice'`)
			} else {
				exec(t, u, tt.sql)
			}
			problems, err := db.Check()
			if err != nil {
				t.Fatalf("Check: %v", err)
			}
			if want := strings.ReplaceAll(tt.want, "%s", id); !strings.Contains(strings.Join(problems, "\n"), want) {
				t.Errorf("problems %q do not mention %q", problems, want)
			}
		})
	}
}

// TestDamagedTextNotShown: an article whose text no longer matches its id
// is an error naming it, not an article to annotate.
func TestDamagedTextNotShown(t *testing.T) {
	u := pgtest.URL(t)
	db := openTest(t, u)
	id := addText(t, db, "the original text")
	exec(t, u, `UPDATE articles SET text = 'another text'::bytea`)
	if _, err := db.Article(id); err == nil || !strings.Contains(err.Error(), "does not match its id") {
		t.Errorf("Article of a changed text: %v", err)
	}
	if err := db.Each(store.Filter{All: true}, func(store.Record) error { return nil }); err == nil || !strings.Contains(err.Error(), id) {
		t.Errorf("Each over a changed text: %v", err)
	}
}

// TestStaleSaveRefusedByTheUpdate: two saves of one revision that both
// read the stored revision before either writes (held there by another
// transaction's row lock) end with one saved and the other refused by the
// version-checked UPDATE, never both written.
func TestStaleSaveRefusedByTheUpdate(t *testing.T) {
	u := pgtest.URL(t)
	db := openTest(t, u)
	id := addText(t, db, "one annotation, two screens")
	held, err := db.Save(model.NewAnnotation(id, "alice", ""), "open")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	blocker, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer blocker.Close(ctx)
	tx, err := blocker.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `SELECT 1 FROM annotations WHERE article_id = $1 FOR UPDATE`, id); err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 2)
	for i := range 2 {
		go func() {
			a := held.Clone()
			a.Notes = fmt.Sprint("screen ", i)
			_, err := db.Save(a, a.Notes)
			errs <- err
		}()
	}
	// Both saves have read revision 1 and wait at their UPDATE (seen
	// from a connection outside the lock's transaction, whose view of
	// pg_stat_activity would stand still).
	monitor, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer monitor.Close(ctx)
	for waiting, polls := 0, 0; waiting < 2; polls++ {
		if polls == 100000 {
			t.Fatalf("the saves never both waited at their UPDATE (%d waiting)", waiting)
		}
		if err := monitor.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'UPDATE annotations%'`).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	var saved, conflicts int
	for range 2 {
		switch err := <-errs; {
		case err == nil:
			saved++
		case errors.Is(err, store.ErrConflict):
			conflicts++
		default:
			t.Errorf("save: %v", err)
		}
	}
	if saved != 1 || conflicts != 1 {
		t.Errorf("%d saved, %d refused; want one of each", saved, conflicts)
	}
	if got, _ := db.Annotation(id, "alice"); got.Rev != 2 {
		t.Errorf("stored rev %d, want 2", got.Rev)
	}
}

// TestMigrateReviewColumn: a database of version 1 (no review column)
// gains the column at Open, filled from the reviews its bodies hold, and
// lists them.
func TestMigrateReviewColumn(t *testing.T) {
	u := pgtest.URL(t)
	db := openTest(t, u)
	id := addText(t, db, "ISIS in Raqqa")
	for who, r := range map[string]*model.Review{
		"alice": {State: model.ReviewReturned, By: "carol"},
		"bob":   {Comments: []model.Comment{{Text: "fine", By: "carol"}}},
		"dora":  nil,
	} {
		a := model.NewAnnotation(id, who, "")
		a.Status, a.Review = model.StatusDone, r
		if _, err := db.Save(a, "review"); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	// Back to version 1, as an older annotate left it.
	exec(t, u, `ALTER TABLE annotations DROP COLUMN review; DELETE FROM schema_version WHERE version = 2`)
	db = openTest(t, u)
	var reviews map[string]string
	if err := db.Articles(func(s store.ArticleSummary) error { reviews = s.Reviews; return nil }); err != nil {
		t.Fatal(err)
	}
	if want := map[string]string{"alice": model.ReviewReturned}; !reflect.DeepEqual(reviews, want) {
		t.Errorf("reviews after the migration: %v, want %v", reviews, want)
	}
	if problems, err := db.Check(); err != nil || len(problems) > 0 {
		t.Errorf("Check: %q, %v", problems, err)
	}
}
