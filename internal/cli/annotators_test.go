package cli_test

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/annotate-tool/annotate/internal/store/postgres/pgtest"
)

// seedAnnotators imports two articles annotated by alice (one done) and
// one by bob, and returns the first article's id and the spaCy file.
func seedAnnotators(t *testing.T, h *harness) (string, string) {
	t.Helper()
	file := h.write("news.jsonl", []byte(`{"text": "ISIS claimed the attack on Raqqa.", "spans": [{"start": 0, "end": 4, "label": "ORG"}]}
{"text": "The SDF denied it near Hasakah.", "spans": [{"start": 4, "end": 7, "label": "ORG"}]}
`))
	h.mustRun("import", "--format", "spacy", "--annotator", "alice", file)
	h.mustRun("import", "--format", "spacy", "--annotator", "bob", h.write("bob.jsonl", []byte(`{"text": "ISIS claimed the attack on Raqqa.", "spans": [{"start": 27, "end": 32, "label": "GPE"}]}
`)))
	res := h.mustRun("list", "--json", "--annotator", "alice")
	var id string
	field(t, jsonLines(t, res.stdout)[0], "id", &id)
	return id, file
}

// TestNearDuplicateAnnotatorRefused: a name that differs from an existing
// annotator's only by case, surrounding space or invisible characters is
// refused by every command that reads or writes an annotator's work, exit
// 2 naming the annotator meant, and nothing is written.
func TestNearDuplicateAnnotatorRefused(t *testing.T) {
	h := newHarness(t)
	id, file := seedAnnotators(t, h)
	before := h.mustRun("export", "--format", "native", "--annotator", "*").stdout
	names := []struct{ name, how string }{
		{"Alice", "case"},
		{"ALICE", "case"},
		{"alice ", "white space"},
		{"al\u200bice", "invisible characters"},
		{"alice\ufeff", "invisible characters"},
		{"Bob", "case"},
	}
	commands := [][]string{
		{"list"},
		{"export", "--format", "spacy"},
		{"history"},
		{"suggest", id},
		{"import", "--format", "spacy", file},
		{"pretag", "--all"},
		{"entities", "add", "Raqqa", "--label", "GPE"},
	}
	for _, n := range names {
		for _, c := range commands {
			res := h.run(append(append([]string(nil), c...), "--annotator", n.name)...)
			meant := strings.ToLower(strings.Trim(strings.ReplaceAll(strings.ReplaceAll(n.name, "\u200b", ""), "\ufeff", ""), " "))
			want := `differs from the existing annotator "` + meant + `" only by ` + n.how + `: did you mean ` + meant + `?`
			if res.code != 2 || !strings.Contains(res.stderr, want) || len(lines(res.stderr)) != 1 {
				t.Errorf("annotate %q --annotator %q: exit %d, stderr %q; want exit 2 and one line saying %q", c, n.name, res.code, res.stderr, want)
			}
		}
	}
	if after := h.mustRun("export", "--format", "native", "--annotator", "*").stdout; after != before {
		t.Error("a refused command changed the database")
	}
	if out := h.mustRun("entities").stdout; strings.Contains(out, "Raqqa") {
		t.Errorf("a refused entities add added Raqqa:\n%s", out)
	}
	// The exact names work.
	h.mustRun("list", "--annotator", "alice")
	h.mustRun("list", "--annotator", "bob")
}

// TestBadAnnotatorNameRefused: a name with surrounding white space or an
// invisible character is refused even when no annotator resembles it.
func TestBadAnnotatorNameRefused(t *testing.T) {
	h := newHarness(t)
	file := h.write("news.jsonl", []byte(`{"text": "ISIS claimed the attack on Raqqa.", "spans": [{"start": 0, "end": 4, "label": "ORG"}]}`+"\n"))
	for _, name := range []string{"carol ", " carol", "car\u200bol", "carol\u2060", "\u200dcarol", "car\u00adol"} {
		for _, c := range [][]string{{"import", "--format", "spacy", file}, {"list"}, {"pretag", "--all"}} {
			res := h.run(append(append([]string(nil), c...), "--annotator", name)...)
			if res.code != 2 || !strings.Contains(res.stderr, "annotator name") || len(lines(res.stderr)) != 1 {
				t.Errorf("annotate %q --annotator %q: exit %d, stderr %q; want exit 2 and one line about the name", c, name, res.code, res.stderr)
			}
		}
	}
	if out := h.mustRun("export", "--format", "native", "--annotator", "*", "--all").stdout; strings.Contains(out, `"annotator"`) {
		t.Errorf("a refused import stored annotations:\n%s", out)
	}
}

// TestGoldWrittenOnlyByReview: --annotator gold is refused by every
// command that writes an annotator's work, and gold is unchanged;
// commands that read may name it.
func TestGoldWrittenOnlyByReview(t *testing.T) {
	h := newHarness(t)
	_, file := seedAnnotators(t, h)
	// Gold as review would leave it, imported (a native file may carry it).
	gold := h.mustRun("export", "--format", "native", "--annotator", "alice").stdout
	gold = strings.ReplaceAll(gold, `"annotator":"alice"`, `"annotator":"gold"`)
	h.mustRun("import", "--format", "native", "--annotator", "alice", h.write("gold.jsonl", []byte(gold)))
	before := h.mustRun("export", "--format", "native", "--annotator", "gold").stdout
	if !strings.Contains(before, `"annotator":"gold"`) {
		t.Fatalf("no gold to start from:\n%s", before)
	}
	patterns := h.write("patterns.jsonl", []byte(`{"label": "GPE", "pattern": "Raqqa"}`+"\n"))
	for _, c := range [][]string{
		{"pretag", "--all"},
		{"pretag", "--all", "--patterns", patterns},
		{"import", "--format", "spacy", file},
		{"import", h.write("plain.txt", []byte("A new article about Raqqa.\n"))},
		{"entities", "add", "Raqqa", "--label", "GPE"},
		{"merge", filepath.Join(h.dir, "other.db")},
	} {
		res := h.run(append(append([]string(nil), c...), "--annotator", "gold")...)
		if res.code != 2 || !strings.Contains(res.stderr, "written only by `annotate review`") || len(lines(res.stderr)) != 1 {
			t.Errorf("annotate %q --annotator gold: exit %d, stderr %q; want exit 2 and one line saying gold is written by review", c, res.code, res.stderr)
		}
	}
	if after := h.mustRun("export", "--format", "native", "--annotator", "gold").stdout; after != before {
		t.Errorf("gold changed:\n%s\nwas\n%s", after, before)
	}
	if out := h.mustRun("list", "--json", "--annotator", "gold").stdout; len(jsonLines(t, out)) != 2 {
		t.Errorf("list --annotator gold:\n%s", out)
	}
	h.mustRun("history", "--annotator", "gold")
	// The environment names gold: the same.
	h.env["ANNOTATE_ANNOTATOR"] = "gold"
	if res := h.run("pretag", "--all", "--annotator", "gold"); res.code != 2 {
		t.Errorf("pretag as gold from the environment: exit %d", res.code)
	}
}

// TestAnnotatorsCommand: list with counts, rename with history kept and
// check passing, remove refused without --force and with a backup named
// with it.
func TestAnnotatorsCommand(t *testing.T) {
	h := newHarness(t)
	id, _ := seedAnnotators(t, h)
	h.mustRun("import", "--format", "spacy", "--annotator", "carol", h.write("carol.jsonl", []byte(`{"text": "ISIS claimed the attack on Raqqa.", "spans": [{"start": 0, "end": 4, "label": "ORG"}]}`+"\n")))

	res := h.mustRun("annotators", "--json")
	recs := jsonLines(t, res.stdout)
	if len(recs) != 3 {
		t.Fatalf("annotators --json:\n%s\nwant three annotators", res.stdout)
	}
	var name string
	var n int
	var statuses map[string]int
	field(t, recs[0], "name", &name)
	field(t, recs[0], "annotations", &n)
	field(t, recs[0], "statuses", &statuses)
	if name != "alice" || n != 2 || statuses["done"] != 2 || statuses["todo"] != 0 {
		t.Errorf("first annotator %q with %d annotations %v, want alice with 2 done", name, n, statuses)
	}
	if out := h.mustRun("annotators").stdout; !strings.Contains(out, "alice") || !strings.Contains(out, "bob") || !strings.Contains(out, "ANNOTATIONS") {
		t.Errorf("annotators:\n%s", out)
	}

	histBefore := h.mustRun("history", "--annotator", "alice").stdout
	res = h.mustRun("annotators", "rename", "alice", "alicia")
	if !strings.Contains(res.stdout, `renamed "alice" to "alicia"`) {
		t.Errorf("rename said %q", res.stdout)
	}
	h.mustRun("check")
	hist := h.mustRun("history", "--annotator", "alicia").stdout
	if !strings.Contains(hist, `rename annotator "alice" to "alicia"`) {
		t.Errorf("history of alicia:\n%s\nwant the rename recorded", hist)
	}
	for _, l := range lines(histBefore)[1:] {
		change := l[strings.LastIndex(l, "  ")+2:]
		if !strings.Contains(hist, "alicia") || !strings.Contains(hist, change) {
			t.Errorf("history of alicia lacks alice's change %q:\n%s", change, hist)
		}
	}
	if h := h.mustRun("history", "--everyone").stdout; strings.Contains(h, "alice ") {
		t.Errorf("history still names alice:\n%s", h)
	}
	if out := h.mustRun("export", "--format", "spacy", "--annotator", "alicia").stdout; len(lines(out)) != 2 {
		t.Errorf("alicia exports %d records, want alice's 2", len(lines(out)))
	}
	// Refusals: exit 2, one line, nothing changed.
	for _, c := range []struct {
		args []string
		says string
	}{
		{[]string{"rename", "alicia", "bob"}, `"bob" is an annotator already`},
		{[]string{"rename", "alicia", "Bob"}, `differs from the existing annotator "bob" only by case`},
		{[]string{"rename", "alicia", "gold"}, "written only by `annotate review`"},
		{[]string{"rename", "gold", "silver"}, "written only by `annotate review`"},
		{[]string{"rename", "Alicia", "ally"}, `no annotator "Alicia"`},
		{[]string{"rename", "alicia", "ally "}, "white space"},
		{[]string{"rename", "alicia"}, "rename OLD NEW"},
		{[]string{"remove", "gold"}, "written only by `annotate review`"},
		{[]string{"remove", "Bob"}, "did you mean bob?"},
		{[]string{"remove", "bob"}, "--force"},
		{[]string{"frobnicate"}, "unknown annotators command"},
	} {
		res := h.run(append([]string{"annotators"}, c.args...)...)
		if res.code != 2 || !strings.Contains(res.stderr, c.says) || len(lines(res.stderr)) != 1 {
			t.Errorf("annotators %q: exit %d, stderr %q; want exit 2 and one line saying %q", c.args, res.code, res.stderr, c.says)
		}
	}

	// Remove with --force: a backup first, named.
	res = h.mustRun("annotators", "remove", "--force", "bob")
	var bak string
	for _, f := range strings.Fields(res.stdout + " " + res.stderr) {
		if strings.Contains(f, ".bak") {
			bak = strings.Trim(f, ",;:()")
		}
	}
	if bak == "" {
		t.Fatalf("remove --force named no backup: %q %q", res.stdout, res.stderr)
	}
	if _, err := os.Stat(bak); err != nil {
		t.Fatalf("the backup %s: %v", bak, err)
	}
	if out := h.mustRun("annotators", "--json").stdout; strings.Contains(out, `"bob"`) {
		t.Errorf("bob is still listed:\n%s", out)
	}
	if out := h.mustRun("export", "--format", "spacy", "--annotator", "bob").stdout; out != "" {
		t.Errorf("bob still exports:\n%s", out)
	}
	h.mustRun("check")
	// The backup still has bob.
	if out := h.mustRun("annotators", "--json", "--db", bak).stdout; !strings.Contains(out, `"bob"`) {
		t.Errorf("the backup lacks bob:\n%s", out)
	}
	_ = id
}

// TestAnnotatorsJSONShape pins the JSON fields of one line.
func TestAnnotatorsJSONShape(t *testing.T) {
	h := newHarness(t)
	seedAnnotators(t, h)
	out := h.mustRun("annotators", "--json").stdout
	var rec struct {
		Name        string         `json:"name"`
		Annotations int            `json:"annotations"`
		Statuses    map[string]int `json:"statuses"`
	}
	if err := json.Unmarshal([]byte(lines(out)[1]), &rec); err != nil {
		t.Fatal(err)
	}
	// An imported annotation is done; bob never touched the second article.
	want := map[string]int{"todo": 1, "in_progress": 0, "done": 1, "skipped": 0}
	if rec.Name != "bob" || rec.Annotations != 1 || !maps.Equal(rec.Statuses, want) {
		t.Errorf("bob: %+v, want 1 annotation and statuses %v", rec, want)
	}
}

// TestImportedAnnotatorNamesChecked: a file whose records name an
// annotator that looks like an existing one, or a name with an invisible
// character, is refused whole (its bad lines listed), nothing stored.
func TestImportedAnnotatorNamesChecked(t *testing.T) {
	h := newHarness(t)
	seedAnnotators(t, h)
	native := h.mustRun("export", "--format", "native", "--annotator", "alice").stdout
	before := h.mustRun("export", "--format", "native", "--annotator", "*").stdout
	for _, c := range []struct{ name, says string }{
		{"Alice", `differs from the existing annotator "alice" only by case: did you mean alice?`},
		{"dave\u200b", "invisible character U+200B"},
		{"dave ", "ends with white space"},
	} {
		quoted, _ := json.Marshal(c.name)
		file := h.write("renamed.jsonl", []byte(strings.ReplaceAll(native, `"annotator":"alice"`, `"annotator":`+string(quoted))))
		res := h.run("import", "--format", "native", file)
		if res.code == 0 || !strings.Contains(res.stderr, c.says) || !strings.Contains(res.stderr, "renamed.jsonl:1") {
			t.Errorf("importing records by %q: exit %d, stderr %q; want the records refused saying %q", c.name, res.code, res.stderr, c.says)
		}
	}
	if after := h.mustRun("export", "--format", "native", "--annotator", "*").stdout; after != before {
		t.Error("a refused import changed the database")
	}
	// Two new names in one file that differ only by case: the second is refused.
	two := strings.ReplaceAll(native, `"annotator":"alice"`, `"annotator":"erin"`)
	two = strings.Replace(two, `"annotator":"erin"`, `"annotator":"Erin"`, 1)
	res := h.run("import", "--format", "native", h.write("two.jsonl", []byte(two)))
	if res.code == 0 || !strings.Contains(res.stderr, `differs from the existing annotator "Erin" only by case`) {
		t.Errorf("importing erin and Erin: exit %d, stderr %q", res.code, res.stderr)
	}
}

// TestMergeRefusesLookalikeAnnotators: a database whose annotator looks
// like one of ours but is not it is not merged in.
func TestMergeRefusesLookalikeAnnotators(t *testing.T) {
	ours, _ := twoDatabases(t)
	theirs := newHarness(t)
	theirs.env["ANNOTATE_DB"] = filepath.Join(theirs.dir, "c.db")
	theirs.mustRun("import", "--format", "native", theirs.write("theirs.jsonl", []byte(nativeLine(theirText, "Alice", "GPE", "Tolle"))))
	before := ours.mustRun("export", "--format", "native", "--annotator", "*", "--all").stdout
	res := ours.run("merge", theirs.dbPath())
	if res.code != 1 || !strings.Contains(res.stderr, `differs from the existing annotator "alice" only by case: did you mean alice?`) || !strings.Contains(res.stderr, "nothing was merged") {
		t.Errorf("merge: exit %d, stderr %q; want it refused naming alice", res.code, res.stderr)
	}
	if after := ours.mustRun("export", "--format", "native", "--annotator", "*", "--all").stdout; after != before {
		t.Error("a refused merge changed the database")
	}
}

// TestServeRefusesLookalikeNames: authorized keys naming an annotator
// that looks like one of the database's, two keys whose names look
// alike, and a name with an invisible character are refused before
// anything is served.
func TestServeRefusesLookalikeNames(t *testing.T) {
	h := newHarness(t)
	seedAnnotators(t, h)
	k1, k2 := serveKey(t), serveKey(t)
	for _, c := range []struct {
		keys, want string
	}{
		{keyLine(k1, `annotator="Alice"`, ""), `differs from the existing annotator "alice" only by case: did you mean alice?`},
		{keyLine(k1, `annotator="carol"`, "") + "\n" + keyLine(k2, `annotator="Carol"`, ""), `:2: annotator "Carol" differs from the existing annotator "carol" only by case`},
		{keyLine(k1, "annotator=\"ca\u200brol\"", ""), "invisible character U+200B"},
	} {
		file := h.write("keys/lookalike", []byte(c.keys+"\n"))
		done := make(chan result, 1)
		go func() { done <- h.run("serve", "--authorized-keys", file, "--listen", "127.0.0.1:0") }()
		var res result
		select {
		case res = <-done:
		case <-time.After(serveWait):
			t.Fatalf("annotate serve still runs with keys %q", c.keys)
		}
		if res.code == 0 || !strings.Contains(res.stderr, c.want) || len(lines(res.stderr)) != 1 || res.stdout != "" {
			t.Errorf("keys %q: exit %d, stderr %q; want one line saying %q and nothing served", c.keys, res.code, res.stderr, c.want)
		}
	}
}

// TestAnnotatorsOnPostgres: the same commands on PostgreSQL; remove asks
// for a copy taken with pg_dump or annotate copy and for --force.
func TestAnnotatorsOnPostgres(t *testing.T) {
	url := pgtest.URL(t)
	h := newHarness(t)
	h.env["ANNOTATE_DB"] = url
	seedAnnotators(t, h)
	if res := h.run("list", "--annotator", "Alice"); res.code != 2 || !strings.Contains(res.stderr, "did you mean alice?") {
		t.Errorf("list --annotator Alice: exit %d, %q", res.code, res.stderr)
	}
	if res := h.run("pretag", "--all", "--annotator", "gold"); res.code != 2 || !strings.Contains(res.stderr, "written only by `annotate review`") {
		t.Errorf("pretag as gold: exit %d, %q", res.code, res.stderr)
	}
	h.mustRun("annotators", "rename", "alice", "alicia")
	h.mustRun("check")
	if hist := h.mustRun("history", "--annotator", "alicia").stdout; !strings.Contains(hist, `rename annotator "alice" to "alicia"`) || !strings.Contains(hist, "import news.jsonl") {
		t.Errorf("alicia's history:\n%s", hist)
	}
	res := h.run("annotators", "remove", "bob")
	if res.code != 2 || !strings.Contains(res.stderr, "pg_dump") || !strings.Contains(res.stderr, "--force") {
		t.Errorf("remove without --force on PostgreSQL: exit %d, %q", res.code, res.stderr)
	}
	res = h.mustRun("annotators", "remove", "--force", "bob")
	if strings.Contains(res.stdout, ".bak") {
		t.Errorf("remove on PostgreSQL claims a backup: %q", res.stdout)
	}
	if out := h.mustRun("annotators", "--json").stdout; strings.Contains(out, `"bob"`) || !strings.Contains(out, `"alicia"`) {
		t.Errorf("annotators after rename and remove:\n%s", out)
	}
	h.mustRun("check")
}

// TestCommandsNotReadingTheAnnotator: a default annotator that looks like
// an existing one does not stop commands that do not read the annotator's
// work (export --gold, history --everyone, stats, agree, check).
func TestCommandsNotReadingTheAnnotator(t *testing.T) {
	h := newHarness(t)
	seedAnnotators(t, h)
	h.env["ANNOTATE_ANNOTATOR"] = "Alice"
	for _, c := range [][]string{
		{"export", "--format", "native", "--gold"},
		{"history", "--everyone"},
		{"history", "--registry"},
		{"stats"},
		{"agree"},
		{"check"},
		{"annotators"},
	} {
		h.mustRun(c...)
	}
	if res := h.run("list"); res.code != 2 {
		t.Errorf("list as Alice from the environment: exit %d, want 2", res.code)
	}
}

// TestRenameFollowsIntoTheRegistry: the entries an annotator made, and her
// grades, name her new name after a rename.
func TestRenameFollowsIntoTheRegistry(t *testing.T) {
	h := newHarness(t)
	seedAnnotators(t, h)
	h.env["ANNOTATE_ANNOTATOR"] = "alice"
	h.mustRun("entities", "add", "Syrian Democratic Forces", "--label", "ORG")
	h.env["ANNOTATE_ANNOTATOR"] = "carol"
	res := h.mustRun("annotators", "rename", "alice", "alicia")
	if !strings.Contains(res.stdout, "1 registry entry follows") {
		t.Errorf("rename said %q", res.stdout)
	}
	out := h.mustRun("entities", "--json").stdout
	if strings.Contains(out, `"alice"`) || !strings.Contains(out, `"alicia"`) {
		t.Errorf("the registry after the rename:\n%s", out)
	}
	h.mustRun("check")
}
