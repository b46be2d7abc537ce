package cli_test

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store/bolt"
)

// Issue 8: blank records, brat bad lines, a second file for the same
// annotator, white space at span edges, exports of blank spans.

// exportedSpans exports one annotator's annotations as native and returns
// "LABEL text" per span, per article text.
func exportedSpans(t *testing.T, h *harness, annotator string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, rec := range jsonLines(t, h.mustRun("export", "--format", "native", "--annotator", annotator).stdout) {
		var text string
		var ents []struct{ Label, Text string }
		field(t, rec, "text", &text)
		field(t, rec, "entities", &ents)
		for _, e := range ents {
			out[text] = append(out[text], e.Label+" "+e.Text)
		}
	}
	return out
}

func TestImportSkipsBlankRecords(t *testing.T) {
	t.Run("Prodigy db-out with records of one space", func(t *testing.T) {
		h := newHarness(t)
		res := h.mustRun("import", "--format", "spacy", filepath.Join(formatsTestdata, "prodigy", "blank.jsonl"))
		if want := "3 added, 0 already present, 0 failed (1 files), 2 blank records skipped; 2 annotations saved, 0 unchanged, 1 rejected or ignored in Prodigy (text only)\n"; res.stdout != want {
			t.Errorf("stdout %q, want %q", res.stdout, want)
		}
		for _, w := range []string{"blank.jsonl:2: blank record skipped", "blank.jsonl:4: blank record skipped"} {
			if !strings.Contains(res.stderr, w) {
				t.Errorf("stderr lacks %q:\n%s", w, res.stderr)
			}
		}
		if strings.Contains(res.stdout+res.stderr, "empty") {
			t.Errorf("a text of one space is called empty:\n%s%s", res.stdout, res.stderr)
		}
		if got := exportedSpans(t, h, "tweets-kim"); len(got) != 2 {
			t.Errorf("exported %v, want the 2 accepted texts with spans", got)
		}
	})
	t.Run("article JSONL and CSV", func(t *testing.T) {
		h := newHarness(t)
		jsonl := h.write("a.jsonl", []byte(`{"text":"Shelling hit Velmo"}`+"\n"+`{"text":" \t "}`+"\n"))
		csv := h.write("b.csv", []byte("title,text\nOne,Curfew in Brask\nTwo,\"  \"\n"))
		res := h.mustRun("import", jsonl, csv)
		if want := "2 added, 0 already present, 0 failed (2 files), 2 blank records skipped\n"; res.stdout != want {
			t.Errorf("stdout %q, want %q", res.stdout, want)
		}
		if !strings.Contains(res.stderr, "a.jsonl:2: blank record skipped") || !strings.Contains(res.stderr, "b.csv:3: blank record skipped") {
			t.Errorf("stderr does not name the blank records:\n%s", res.stderr)
		}
	})
}

// bratCorpus writes a brat collection of four annotators: each has two
// documents; in some a T line selects no text.
func bratCorpus(h *harness) (dir string, badLines, badFiles int) {
	text := "The Kessa Guard said its patrol was ambushed near Tolle.\n"
	for i, who := range []string{"ana", "ben", "cai", "dee"} {
		for d := 0; d < 2; d++ {
			doc := fmt.Sprintf("%s doc %d: ", who, d) + text
			off := strings.Index(doc, "Kessa Guard")
			tolle := strings.Index(doc, "Tolle")
			ann := fmt.Sprintf("T1\tORG %d %d\tKessa Guard\n", off, off+len("Kessa Guard"))
			if (i+d)%2 == 0 {
				// The source's bug: offsets that select nothing.
				ann += fmt.Sprintf("T2\tGPE %d %d\t\n", tolle, tolle)
				badLines++
				if i == 0 && d == 0 {
					ann += fmt.Sprintf("T3\tPER %d %d\t\n", off, off)
					badLines++
				}
				badFiles++
			}
			ann += fmt.Sprintf("T4\tGPE %d %d\tTolle\n", tolle, tolle+len("Tolle"))
			base := fmt.Sprintf("brat/%s/doc%d", who, d)
			h.write(base+".txt", []byte(doc))
			dir = filepath.Dir(filepath.Dir(h.write(base+".ann", []byte(ann))))
		}
	}
	return dir, badLines, badFiles
}

func TestImportBratSkipsBadLinesNotDocuments(t *testing.T) {
	h := newHarness(t)
	dir, badLines, badFiles := bratCorpus(h)
	res := h.run("import", "--format", "brat", dir)
	if res.code != 1 {
		t.Fatalf("exit %d, want 1: files with bad lines are refused without --skip-invalid", res.code)
	}
	for _, w := range []string{filepath.Join("ana", "doc0.ann") + ":2", filepath.Join("ana", "doc0.ann") + ":3", filepath.Join("ben", "doc1.ann") + ":2"} {
		if !strings.Contains(res.stderr, w) {
			t.Errorf("stderr does not name %s:\n%s", w, res.stderr)
		}
	}
	if !strings.HasPrefix(res.stdout, "4 added") {
		t.Errorf("stdout %q: the 4 files without bad lines are still imported", res.stdout)
	}
	res = h.mustRun("import", "--format", "brat", "--skip-invalid", dir)
	want := fmt.Sprintf("%d bad lines skipped in %d files; 0 files left out", badLines, badFiles)
	if !strings.Contains(res.stdout, want) || !strings.HasPrefix(res.stdout, "4 added, 4 already present") {
		t.Errorf("stdout %q, want the other 4 added and %q", res.stdout, want)
	}
	for _, who := range []string{"ana", "ben", "cai", "dee"} {
		got := exportedSpans(t, h, who)
		if len(got) != 2 {
			t.Errorf("%s: %d documents exported, want both", who, len(got))
		}
		for text, spans := range got {
			if strings.Join(spans, ",") != "ORG Kessa Guard,GPE Tolle" {
				t.Errorf("%s %.12q: spans %q, want the good ones kept", who, text, spans)
			}
		}
	}
}

// doccanoFile writes a doccano export of one user: each text with one span
// (label, word).
func doccanoFile(h *harness, name string, recs ...[3]string) string {
	var b strings.Builder
	for _, r := range recs {
		start := strings.Index(r[0], r[2])
		fmt.Fprintf(&b, `{"text":%q,"label":[[%d,%d,%q]]}`+"\n", r[0], start, start+len(r[2]), r[1])
	}
	return h.write(name, []byte(b.String()))
}

func TestImportSameAnnotatorSecondFile(t *testing.T) {
	shared := "Harrow Front fighters entered Velmo"
	other := "Two trucks burned outside Tolle"
	setup := func(t *testing.T) (*harness, string, string) {
		h := newHarness(t)
		first := doccanoFile(h, "alice.jsonl", [3]string{shared, "ORG", "Harrow Front"})
		second := doccanoFile(h, "bob.jsonl", [3]string{shared, "GPE", "Velmo"}, [3]string{other, "GPE", "Tolle"})
		h.mustRun("import", "--format", "doccano", "--annotator", "probe", first)
		return h, first, second
	}
	t.Run("refused, naming the texts", func(t *testing.T) {
		h, _, second := setup(t)
		res := h.run("import", "--format", "doccano", "--annotator", "probe", second)
		if res.code != 1 {
			t.Errorf("exit %d, want 1", res.code)
		}
		id := model.ArticleID(shared)
		for _, w := range []string{second + ":1", id, `"Harrow Front fighters entered Velmo"`, "--replace", "--merge"} {
			if !strings.Contains(res.stderr, w) {
				t.Errorf("stderr lacks %q:\n%s", w, res.stderr)
			}
		}
		if !strings.Contains(res.stdout, "1 annotation saved") || !strings.Contains(res.stdout, "1 refused") {
			t.Errorf("stdout %q, want the other text saved and 1 refused", res.stdout)
		}
		got := exportedSpans(t, h, "probe")
		if strings.Join(got[shared], ",") != "ORG Harrow Front" || strings.Join(got[other], ",") != "GPE Tolle" {
			t.Errorf("spans %v: the first file's annotation must stay, the new text come in", got)
		}
	})
	t.Run("--replace", func(t *testing.T) {
		h, _, second := setup(t)
		h.mustRun("import", "--format", "doccano", "--annotator", "probe", "--replace", second)
		if got := exportedSpans(t, h, "probe"); strings.Join(got[shared], ",") != "GPE Velmo" {
			t.Errorf("spans %v, want the second file's", got[shared])
		}
	})
	t.Run("--merge", func(t *testing.T) {
		h, _, second := setup(t)
		h.mustRun("import", "--format", "doccano", "--annotator", "probe", "--merge", second)
		if got := exportedSpans(t, h, "probe"); strings.Join(got[shared], ",") != "ORG Harrow Front,GPE Velmo" {
			t.Errorf("spans %v, want both files'", got[shared])
		}
	})
	t.Run("the same file again is already present", func(t *testing.T) {
		h, first, _ := setup(t)
		res := h.mustRun("import", "--format", "doccano", "--annotator", "probe", first)
		if !strings.Contains(res.stdout, "0 annotations saved, 1 unchanged") {
			t.Errorf("stdout %q", res.stdout)
		}
	})
	t.Run("both files in one run", func(t *testing.T) {
		h := newHarness(t)
		first := doccanoFile(h, "alice.jsonl", [3]string{shared, "ORG", "Harrow Front"})
		second := doccanoFile(h, "bob.jsonl", [3]string{shared, "GPE", "Velmo"})
		if res := h.run("import", "--format", "doccano", "--annotator", "probe", first, second); res.code != 1 || !strings.Contains(res.stderr, second+":1") {
			t.Errorf("exit %d, stderr %q: want bob.jsonl:1 refused", res.code, res.stderr)
		}
	})
	t.Run("--replace and --merge together", func(t *testing.T) {
		h, _, second := setup(t)
		if res := h.run("import", "--format", "doccano", "--replace", "--merge", second); res.code != 2 {
			t.Errorf("exit %d, want 2", res.code)
		}
	})
}

func TestImportCountsTrimmedSpans(t *testing.T) {
	h := newHarness(t)
	text := "The Harrow Front said it held Velmo."
	p := h.write("t.jsonl", []byte(`{"text":"`+text+`","spans":[{"start":3,"end":16,"label":"ORG"},{"start":29,"end":35,"label":"GPE"},{"start":0,"end":3,"label":"PER"}]}`+"\n"))
	res := h.mustRun("import", "--format", "spacy", p)
	if !strings.Contains(res.stdout, "2 spans trimmed of white space") {
		t.Errorf("stdout %q, want 2 spans trimmed", res.stdout)
	}
	if !strings.Contains(res.stderr, `t.jsonl:1: spans[0] (ORG) " Harrow Front" trimmed of white space to "Harrow Front"`) {
		t.Errorf("stderr lacks the detail of the trimmed span:\n%s", res.stderr)
	}
	blank := h.write("b.jsonl", []byte(`{"text":"`+text+`","spans":[{"start":16,"end":17,"label":"ORG"}]}`+"\n"+`{"text":"Curfew in Brask","spans":[]}`+"\n"))
	if res := h.run("import", "--format", "spacy", blank); res.code != 1 || !strings.Contains(res.stderr, "b.jsonl:1: spans[0] (ORG): \" \" is only white space") {
		t.Errorf("exit %d stderr %q: want the span of one space refused with file:line", res.code, res.stderr)
	}
	if res := h.mustRun("import", "--format", "spacy", "--skip-invalid", blank); !strings.Contains(res.stdout, "1 added") || !strings.Contains(res.stdout, "1 skipped") {
		t.Errorf("--skip-invalid: stdout %q, want the good record in and the bad skipped", res.stdout)
	}
}

func TestBlankStoredSpan(t *testing.T) {
	h := newHarness(t)
	text := "The Harrow Front said it held Velmo."
	p := h.write("a.txt", []byte(text))
	h.mustRun("import", p)
	db, err := bolt.Open(h.dbPath(), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a := model.NewAnnotation(model.ArticleID(text), "tester", "conflict-incidents")
	a.Entities = []model.Span{{ID: "e1", Start: 4, End: 16, Label: "ORG"}, {ID: "e2", Start: 16, End: 17, Label: "ORG"}}
	model.GroupMentions(&a, text)
	if _, err := db.Save(a, "an old database"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	id := model.ArticleID(text)

	res := h.run("check")
	if res.code != 1 || !regexp.MustCompile(`article `+id+`, annotator tester: entities\[e2\]: .*only white space`).MatchString(res.stderr) {
		t.Errorf("check: exit %d stderr %q, want 1 naming e2", res.code, res.stderr)
	}
	for _, args := range [][]string{{"--format", "spacy", "--tokens"}, {"--format", "native"}, {"--format", "doccano"}, {"--format", "labelstudio"}, {"--format", "brat", "-o", filepath.Join(h.dir, "brat")}} {
		res := h.run(append([]string{"export"}, args...)...)
		if res.code != 1 || !strings.Contains(res.stderr, id) || !strings.Contains(res.stderr, "e2") || !strings.Contains(res.stderr, "white space") || strings.Contains(res.stdout, `" "`) {
			t.Errorf("export %v: exit %d stdout %q stderr %q, want it refused naming the span", args, res.code, res.stdout, res.stderr)
		}
	}
	res = h.mustRun("export", "--format", "conll")
	if !strings.Contains(res.stderr, "article "+id+", tester: span e2 ORG \" \" left out: blank") {
		t.Errorf("conll stderr %q, want the blank span named", res.stderr)
	}
}
