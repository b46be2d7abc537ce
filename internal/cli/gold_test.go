package cli_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// goldFile holds alice's and bob's annotations of one text, the gold one
// adjudicated from them (with its decisions), and alice's of another text.
func goldFile(h *harness) string {
	gold := `{"text":"` + sharedText + `","annotator":"gold","status":"done","entities":[{"id":"e1","start":0,"end":12,"label":"ORG","text":"Harrow Front"}],` +
		`"decisions":[{"item":"span 0-12 ORG","kind":"taken","from":["alice"],"gold":["e1"],"by":"rev","at":"2026-03-04T09:12:00Z","seen":{"alice":"a1","bob":""}},` +
		`{"item":"span 30-35 GPE","kind":"rejected","by":"rev","at":"2026-03-04T09:13:00Z","seen":{"bob":"b1"}}]}` + "\n"
	return h.write("review.jsonl", []byte(nativeLine(sharedText, "alice", "ORG", "Harrow Front")+
		nativeLine(sharedText, "bob", "GPE", "Velmo")+gold+nativeLine(theirText, "alice", "GPE", "Tolle")))
}

func goldDecisions(t *testing.T, h *harness) (string, []map[string]any) {
	t.Helper()
	recs := jsonLines(t, h.mustRun("export", "--gold").stdout)
	if len(recs) != 1 {
		t.Fatalf("export --gold: %d records, want the one gold annotation", len(recs))
	}
	var who string
	var decisions []map[string]any
	field(t, recs[0], "annotator", &who)
	field(t, recs[0], "decisions", &decisions)
	return who, decisions
}

func TestExportGoldCarriesDecisions(t *testing.T) {
	one := newHarness(t)
	one.mustRun("import", "--format", "native", goldFile(one))
	who, decisions := goldDecisions(t, one)
	if who != "gold" || len(decisions) != 2 || decisions[0]["kind"] != "taken" || decisions[0]["by"] != "rev" ||
		decisions[0]["from"].([]any)[0] != "alice" || decisions[1]["kind"] != "rejected" {
		t.Errorf("gold %s with decisions %v", who, decisions)
	}
	// Moved to another database, the decisions come back whole.
	two := newHarness(t)
	two.mustRun("import", "--format", "native", two.write("gold.jsonl", []byte(one.mustRun("export", "--gold").stdout)))
	_, again := goldDecisions(t, two)
	a, _ := json.Marshal(decisions)
	b, _ := json.Marshal(again)
	if string(a) != string(b) {
		t.Errorf("decisions after a move:\n got %s\nwant %s", b, a)
	}
}

func TestStatsAdjudication(t *testing.T) {
	h := newHarness(t)
	h.mustRun("import", "--format", "native", goldFile(h))
	var st struct {
		Adjudication struct {
			Articles  int            `json:"articles_to_adjudicate"`
			WithGold  int            `json:"with_gold"`
			Gold      int            `json:"gold"`
			GoldDone  int            `json:"gold_done"`
			Decisions map[string]int `json:"decisions"`
		} `json:"adjudication"`
	}
	if err := json.Unmarshal([]byte(h.mustRun("stats", "--json").stdout), &st); err != nil {
		t.Fatal(err)
	}
	ad := st.Adjudication
	if ad.Articles != 1 || ad.WithGold != 1 || ad.Gold != 1 || ad.GoldDone != 1 ||
		ad.Decisions["taken"] != 1 || ad.Decisions["rejected"] != 1 || ad.Decisions["accepted"] != 0 || len(ad.Decisions) != 5 {
		t.Errorf("adjudication %+v", ad)
	}
	out := h.mustRun("stats").stdout
	for _, w := range []string{
		"adjudication: 1 article with 2 or more annotators, 1 with a gold annotation; 1 gold annotation, 1 done",
		"decisions: accepted 0, taken 1, both 0, rejected 1, edited 0",
	} {
		if !strings.Contains(out, w) {
			t.Errorf("stats lacks %q:\n%s", w, out)
		}
	}
}

// TestStatsProgressPerArticle: how many annotators finished each article
// (gold aside), and with --per-article who finished it.
func TestStatsProgressPerArticle(t *testing.T) {
	h := newHarness(t)
	h.mustRun("import", "--format", "native", goldFile(h))
	var st struct {
		Progress struct {
			FinishedBy map[string]int `json:"finished_by"`
			Articles   []struct {
				ID       string   `json:"id"`
				Finished []string `json:"finished"`
			} `json:"per_article"`
		} `json:"progress"`
	}
	if err := json.Unmarshal([]byte(h.mustRun("stats", "--json", "--per-article").stdout), &st); err != nil {
		t.Fatal(err)
	}
	p := st.Progress
	if p.FinishedBy["2"] != 1 || p.FinishedBy["1"] != 1 || len(p.Articles) != 2 {
		t.Fatalf("progress %+v, want one article finished by alice and bob, one by alice", p)
	}
	got := map[string]string{}
	for _, a := range p.Articles {
		got[a.ID] = strings.Join(a.Finished, ",")
	}
	if !strings.Contains(strings.Join(slicesOf(got), " "), "alice,bob") {
		t.Errorf("per article %v, want alice,bob on the shared one (gold left out)", got)
	}
	out := h.mustRun("stats", "--per-article").stdout
	if !strings.Contains(out, "articles finished: 1 by 1, 1 by 2; 0 claims held now") || !strings.Contains(out, "alice,bob") {
		t.Errorf("stats text:\n%s", out)
	}
}

func slicesOf(m map[string]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	return out
}
