package cli_test

import (
	"strings"
	"testing"

	"github.com/annotate-tool/annotate/internal/model"
)

// nativeSpans returns each annotator's spans of the native export of
// every annotator, as "LABEL text".
func nativeSpans(t *testing.T, h *harness) map[string][]string {
	t.Helper()
	spans := map[string][]string{}
	for _, rec := range jsonLines(t, h.mustRun("export", "--format", "native", "--annotator", "*").stdout) {
		var who string
		var ents []struct{ Label, Text string }
		field(t, rec, "annotator", &who)
		field(t, rec, "entities", &ents)
		for _, e := range ents {
			spans[who] = append(spans[who], e.Label+" "+e.Text)
		}
	}
	return spans
}

// TestImportNativeKeepsBoth: a native file from another machine whose
// annotator already has a different annotation of a text here is kept
// beside it, as annotator@FILE, the way merge keeps a conflict.
func TestImportNativeKeepsBoth(t *testing.T) {
	setup := func(t *testing.T) (*harness, string) {
		h := newHarness(t)
		h.mustRun("import", "--format", "native", h.write("mine.jsonl", []byte(nativeLine(sharedText, "alice", "ORG", "Harrow Front"))))
		theirs := h.write("laptop b.jsonl", []byte(nativeLine(sharedText, "alice", "GPE", "Velmo")+nativeLine(theirText, "alice", "GPE", "Tolle")))
		return h, theirs
	}
	t.Run("kept as annotator@file", func(t *testing.T) {
		h, theirs := setup(t)
		res := h.mustRun("import", "--format", "native", theirs)
		if !strings.Contains(res.stdout, "2 annotations saved, 0 unchanged, 1 conflict kept as alice@laptop_b") {
			t.Errorf("stdout %q", res.stdout)
		}
		for _, w := range []string{theirs + ":1", model.ArticleID(sharedText), "annotator alice", "alice@laptop_b"} {
			if !strings.Contains(res.stderr, w) {
				t.Errorf("stderr lacks %q:\n%s", w, res.stderr)
			}
		}
		got := nativeSpans(t, h)
		if strings.Join(got["alice"], ",") != "ORG Harrow Front,GPE Tolle" || strings.Join(got["alice@laptop_b"], ",") != "GPE Velmo" {
			t.Errorf("spans %v", got)
		}
		again := h.mustRun("import", "--format", "native", theirs)
		if !strings.Contains(again.stdout, "0 annotations saved, 2 unchanged") || strings.Contains(again.stdout, "conflict") {
			t.Errorf("the same file again: %q, want unchanged", again.stdout)
		}
		h.mustRun("check")
	})
	t.Run("--prefer ours", func(t *testing.T) {
		h, theirs := setup(t)
		res := h.mustRun("import", "--format", "native", "--prefer", "ours", theirs)
		if !strings.Contains(res.stdout, "1 annotation saved, 0 unchanged, 1 conflict: ours kept") {
			t.Errorf("stdout %q", res.stdout)
		}
		if got := nativeSpans(t, h); strings.Join(got["alice"], ",") != "ORG Harrow Front,GPE Tolle" || len(got) != 1 {
			t.Errorf("spans %v", got)
		}
	})
	for _, flag := range []string{"--replace", "--prefer=theirs"} {
		t.Run(flag, func(t *testing.T) {
			h, theirs := setup(t)
			h.mustRun("import", "--format", "native", flag, theirs)
			if got := nativeSpans(t, h); strings.Join(got["alice"], ",") != "GPE Velmo,GPE Tolle" || len(got) != 1 {
				t.Errorf("spans %v, want theirs in place of mine", got)
			}
		})
	}
	t.Run("--merge", func(t *testing.T) {
		h, theirs := setup(t)
		h.mustRun("import", "--format", "native", "--merge", theirs)
		if got := nativeSpans(t, h); strings.Join(got["alice"], ",") != "ORG Harrow Front,GPE Velmo,GPE Tolle" {
			t.Errorf("spans %v, want both", got)
		}
	})
	t.Run("contradicting flags", func(t *testing.T) {
		h, theirs := setup(t)
		for _, args := range [][]string{{"--prefer", "ours", "--replace"}, {"--prefer", "theirs", "--merge"}, {"--prefer", "both"}} {
			if res := h.run(append([]string{"import", "--format", "native", theirs}, args...)...); res.code != 2 {
				t.Errorf("%q: exit %d, want 2 (%s)", args, res.code, res.stderr)
			}
		}
	})
}

// TestPeerAnnotatorsArriveSeparately: the peers that name annotators
// (doccano per-user files, Label Studio completed_by, Prodigy
// _annotator_id, brat folders) bring each annotator's work in as that
// annotator's, side by side on one article, ready to compare.
func TestPeerAnnotatorsArriveSeparately(t *testing.T) {
	text := "Harrow Front fighters entered Velmo on Monday."
	for _, tt := range []struct {
		name, format string
		files        map[string]string
		dir          bool
	}{
		{"doccano per-user files", "doccano", map[string]string{
			"d/ana.jsonl":  `{"text":"` + text + `","label":[[0,12,"ORG"]]}`,
			"d/ben.jsonl":  `{"text":"` + text + `","label":[[30,35,"GPE"]]}`,
			"d/.skip.json": `{}`,
		}, true},
		{"Label Studio completed_by", "labelstudio", map[string]string{
			"ls.json": `[{"id":1,"data":{"text":"` + text + `"},"annotations":[` +
				`{"id":1,"completed_by":{"email":"ana"},"result":[{"type":"labels","from_name":"label","to_name":"text","value":{"start":0,"end":12,"text":"Harrow Front","labels":["ORG"]}}]},` +
				`{"id":2,"completed_by":{"email":"ben"},"result":[{"type":"labels","from_name":"label","to_name":"text","value":{"start":30,"end":35,"text":"Velmo","labels":["GPE"]}}]}]}]`,
		}, false},
		{"Prodigy _annotator_id", "spacy", map[string]string{
			"p.jsonl": `{"text":"` + text + `","spans":[{"start":0,"end":12,"label":"ORG"}],"answer":"accept","_annotator_id":"news-ana"}` + "\n" +
				`{"text":"` + text + `","spans":[{"start":30,"end":35,"label":"GPE"}],"answer":"accept","_annotator_id":"news-ben"}` + "\n",
		}, false},
		{"brat folders", "brat", map[string]string{
			"b/ana/doc.txt": text, "b/ana/doc.ann": "T1\tORG 0 12\tHarrow Front\n",
			"b/ben/doc.txt": text, "b/ben/doc.ann": "T1\tGPE 30 35\tVelmo\n",
		}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			var target string
			for rel, data := range tt.files {
				p := h.write(rel, []byte(data))
				if !tt.dir {
					target = p
				}
			}
			if tt.dir {
				target = h.dir + "/in/" + strings.SplitN(firstKey(tt.files), "/", 2)[0]
			}
			h.mustRun("import", "--format", tt.format, target)
			got := nativeSpans(t, h)
			var ana, ben string
			for who, spans := range got {
				switch {
				case strings.Contains(who, "ana"):
					ana = strings.Join(spans, ",")
				case strings.Contains(who, "ben"):
					ben = strings.Join(spans, ",")
				}
			}
			if len(got) != 2 || ana != "ORG Harrow Front" || ben != "GPE Velmo" {
				t.Errorf("annotators %v: want ana's ORG and ben's GPE apart", got)
			}
			list := h.mustRun("list", "--json").stdout
			if recs := jsonLines(t, list); len(recs) != 1 {
				t.Errorf("%d articles, want the one text once", len(recs))
			}
			var st struct {
				Adjudication struct {
					Articles int `json:"articles_to_adjudicate"`
				} `json:"adjudication"`
			}
			if err := jsonUnmarshal(h.mustRun("stats", "--json").stdout, &st); err != nil || st.Adjudication.Articles != 1 {
				t.Errorf("stats: %+v %v, want 1 article to adjudicate (two annotators)", st, err)
			}
		})
	}
}

func firstKey(m map[string]string) string {
	for k := range m {
		return k
	}
	return ""
}
