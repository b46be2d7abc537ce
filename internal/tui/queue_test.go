package tui

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/annotate-tool/annotate/internal/model"
)

var queueArticles = []model.Article{
	article("Convoy ambushed near the bridge", "A convoy was ambushed near the old bridge on Tuesday."),
	article("Market car bomb", "A car bomb exploded at the market checkpoint."),
	article("Aid workers kidnapped", "Three aid workers were kidnapped near Tell Sahin."),
}

// queueStore returns a store of queueArticles where alice has already given
// the listed statuses.
func queueStore(t *testing.T, statuses ...model.Status) *fakeStore {
	t.Helper()
	st := newFakeStore(queueArticles...)
	for i, s := range statuses {
		if s == "" {
			continue
		}
		a := model.NewAnnotation(queueArticles[i].ID, "alice", "conflict-incidents")
		a.Status = s
		if _, err := st.Save(a, "seed"); err != nil {
			t.Fatal(err)
		}
	}
	return st
}

// visibleTitles lists the titles the queue shows.
func visibleTitles(m *Model) []string {
	var out []string
	for _, s := range m.visibleQueue() {
		out = append(out, s.Title)
	}
	return out
}

func TestQueuePreselects(t *testing.T) {
	const (
		todo = model.StatusTodo
		prog = model.StatusInProgress
		done = model.StatusDone
		skip = model.StatusSkipped
	)
	tests := []struct {
		name     string
		statuses []model.Status
		want     int
	}{
		{"all new: the first", nil, 0},
		{"the first to do after done ones", []model.Status{done, todo}, 1},
		{"in progress before to do", []model.Status{done, todo, prog}, 2},
		{"nothing left: the first", []model.Status{done, skip, done}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, queueStore(t, tt.statuses...), 80, 24)
			if h.m.screen != screenQueue || !h.m.qt.ready {
				t.Fatalf("the screen did not start on a loaded queue")
			}
			if h.m.qt.cursor != tt.want {
				t.Errorf("cursor on %d, want %d", h.m.qt.cursor, tt.want)
			}
			h.keys("enter")
			if h.m.doc == nil || h.m.doc.article.ID != queueArticles[tt.want].ID {
				t.Errorf("enter did not open article %d", tt.want)
			}
		})
	}
}

func TestQueueKeys(t *testing.T) {
	h := newHarness(t, queueStore(t, model.StatusDone, "", model.StatusSkipped), 80, 24)
	s := h.screen()
	for _, want := range []string{"● done", "○ todo", "⊘ skipped", "Market car bomb", "enter open"} {
		if !strings.Contains(s, want) {
			t.Errorf("queue screen lacks %q:\n%s", want, s)
		}
	}
	if !strings.Contains(s, "2/3 finished") || !strings.Contains(s, "todo 1 · in progress 0 · done 1 · skipped 1") {
		t.Errorf("queue screen miscounts:\n%s", s)
	}
	moves := []struct {
		keys string
		want int
	}{
		{"g", 0}, {"j", 1}, {"down", 2}, {"j", 2}, {"k", 1}, {"up", 0}, {"k", 0}, {"G", 2}, {"home", 0}, {"end", 2},
	}
	for _, mv := range moves {
		h.keys(mv.keys)
		if h.m.qt.cursor != mv.want {
			t.Errorf("after %s: cursor %d, want %d", mv.keys, h.m.qt.cursor, mv.want)
		}
	}
	filters := []struct {
		keys string
		want []string
		tab  string
	}{
		{"tab", []string{"Market car bomb"}, "todo"},
		{"tab", nil, "in progress"},
		{"tab", []string{"Convoy ambushed near the bridge"}, "done"},
		{"f", []string{"Aid workers kidnapped"}, "skipped"},
		{"tab", []string{queueArticles[0].Title, queueArticles[1].Title, queueArticles[2].Title}, "all"},
		{"shift+tab", []string{"Aid workers kidnapped"}, "skipped"},
		{"F", []string{"Convoy ambushed near the bridge"}, "done"},
	}
	for _, f := range filters {
		h.keys(f.keys)
		if got := visibleTitles(h.m); !reflect.DeepEqual(got, f.want) {
			t.Errorf("after %s: queue shows %q, want %q", f.keys, got, f.want)
		}
		if f.want == nil && !strings.Contains(h.screen(), "no articles here") {
			t.Errorf("after %s: an empty filter does not say so:\n%s", f.keys, h.screen())
		}
	}
	h.keys("tab tab") // done -> skipped -> all
	if h.m.qt.filter != 0 {
		t.Fatalf("filter %d, want 0 (all)", h.m.qt.filter)
	}
	// Search titles and text; the command runs off the update loop.
	h.keys("/")
	h.typeText("BRIDGE")
	if !strings.Contains(h.screen(), "search titles and text: BRIDGE") {
		t.Errorf("the search prompt is not shown:\n%s", h.screen())
	}
	h.keys("enter")
	if got, want := visibleTitles(h.m), []string{"Convoy ambushed near the bridge"}; !reflect.DeepEqual(got, want) {
		t.Errorf("search BRIDGE: %q, want %q", got, want)
	}
	if !strings.Contains(h.screen(), "search “BRIDGE”: 1 matches") {
		t.Errorf("the queue does not show the search:\n%s", h.screen())
	}
	h.keys("/")
	h.typeText("kidnapped near")
	h.keys("enter")
	if got, want := visibleTitles(h.m), []string{"Aid workers kidnapped"}; !reflect.DeepEqual(got, want) {
		t.Errorf("search in the text: %q, want %q", got, want)
	}
	h.keys("esc")
	if len(visibleTitles(h.m)) != 3 || h.quit {
		t.Errorf("esc did not clear the search (or quit): %q", visibleTitles(h.m))
	}
	h.keys("q")
	if !h.quit {
		t.Errorf("q on the queue did not quit")
	}
}

func TestHelpOverlay(t *testing.T) {
	h := newHarness(t, newFakeStore(article("Tagging", tagText)), 200, 60)
	h.keys("enter ?")
	s := h.screen()
	for _, want := range []string{"Keys", "j/k scroll · any other key closes", "Move and select", "w/→ next word",
		"Tag", "ctrl+r/U redo", "D done, next", "1 ORG", "0 COUNT", "ctrl+c quit", "delete clear the value"} {
		if !strings.Contains(s, want) {
			t.Errorf("help lacks %q:\n%s", want, s)
		}
	}
	checkFrame(t, "help", h.m.Render(), 200, 60)
	h.keys("1") // closes the help, does not tag
	if h.m.showHelp || len(h.m.ann.Entities) != 0 {
		t.Errorf("a key on the help: help shown %v, spans %d; want closed and nothing tagged", h.m.showHelp, len(h.m.ann.Entities))
	}
	h.keys("? ctrl+c")
	if !h.quit {
		t.Errorf("ctrl+c on the help did not quit")
	}
}

// TestHelpFits80x24: every key of the focus ? was pressed in is on the
// help screen in a terminal of the usual size (the other focuses' keys
// follow, scrolled to).
func TestHelpFits80x24(t *testing.T) {
	h := openTag(t)
	h.keys("?")
	s := h.screen()
	for _, want := range []string{"Move and select", "ctrl+r/U redo", "D done, next", "ctrl+c quit", "Entities and suggestions", "z reject"} {
		if !strings.Contains(s, want) {
			t.Errorf("help at 80x24 lacks %q:\n%s", want, s)
		}
	}
}

func TestDoneAndSkip(t *testing.T) {
	st := queueStore(t)
	h := newHarness(t, st, 80, 24)
	ids := []string{queueArticles[0].ID, queueArticles[1].ID, queueArticles[2].ID}
	status := func(i int) model.Status {
		a, _ := st.stored(ids[i], "alice")
		return a.Status
	}
	h.keys("enter 1")
	if status(0) != model.StatusInProgress {
		t.Errorf("after a tag: status %q, want in_progress", status(0))
	}
	h.keys("D")
	if status(0) != model.StatusDone {
		t.Errorf("D: status %q, want done", status(0))
	}
	if h.m.doc == nil || h.m.doc.article.ID != ids[1] {
		t.Fatalf("D did not open the next article")
	}
	if a, _ := st.stored(ids[0], "alice"); len(a.Entities) != 1 {
		t.Errorf("D lost the spans: %+v", a.Entities)
	}
	if s := h.screen(); !strings.Contains(s, "Market car bomb") || !strings.Contains(s, "sel “A”") {
		t.Errorf("the next article is not shown with its first word selected:\n%s", s)
	}
	h.keys("S")
	if status(1) != model.StatusSkipped || h.m.doc.article.ID != ids[2] {
		t.Errorf("S: status %q, open %s; want skipped and the third article", status(1), h.m.doc.article.ID)
	}
	h.keys("D")
	if status(2) != model.StatusDone {
		t.Errorf("D on the last: status %q", status(2))
	}
	if h.m.screen != screenQueue || h.m.doc != nil || !strings.Contains(h.m.message, "nothing left to do") {
		t.Errorf("D with nothing left: screen %d, message %q; want the queue and a message", h.m.screen, h.m.message)
	}
	if !strings.Contains(h.screen(), "3/3 finished") {
		t.Errorf("queue after finishing everything:\n%s", h.screen())
	}
	// u undoes the mark: the history holds "mark done".
	h.open(ids[2])
	h.keys("u")
	if status(2) != model.StatusTodo {
		t.Errorf("undo of D: status %q, want todo", status(2))
	}
}

// TestDoneOrder: D prefers an article in progress, then one to do, looking
// forward from the current one and wrapping round.
func TestDoneOrder(t *testing.T) {
	tests := []struct {
		name     string
		statuses []model.Status
		open     int
		want     int
	}{
		{"next to do", nil, 0, 1},
		{"wraps round", []model.Status{"", model.StatusDone}, 2, 0},
		{"in progress first", []model.Status{"", model.StatusInProgress}, 2, 1},
		{"skips finished", []model.Status{"", model.StatusSkipped, model.StatusDone}, 0, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, queueStore(t, tt.statuses...), 80, 24)
			h.open(queueArticles[tt.open].ID)
			h.keys("D")
			if tt.want < 0 {
				if h.m.doc != nil {
					t.Errorf("opened %s, want the queue", h.m.doc.article.Title)
				}
				return
			}
			if h.m.doc == nil || h.m.doc.article.ID != queueArticles[tt.want].ID {
				t.Errorf("D opened %v, want %q", h.m.doc, queueArticles[tt.want].Title)
			}
		})
	}
}

// TestKeysAfterDoneGoToTheNextArticle: keys typed right after D, while it
// saves and the next article loads, belong to the next article.
func TestKeysAfterDoneGoToTheNextArticle(t *testing.T) {
	st := queueStore(t)
	h := newHarness(t, st, 80, 24)
	h.keys("enter")
	h.hold = true
	h.keys("D 1")
	h.release()
	if a, _ := st.stored(queueArticles[0].ID, "alice"); len(a.Entities) != 0 {
		t.Errorf("the key typed after D tagged the finished article: %+v", a.Entities)
	}
	if a, _ := st.stored(queueArticles[1].ID, "alice"); len(a.Entities) != 1 {
		t.Errorf("the key typed after D did not tag the next article: %+v", a.Entities)
	}
}

func TestBackToQueue(t *testing.T) {
	h := newHarness(t, queueStore(t), 80, 24)
	h.keys("j enter 1 q")
	if h.m.screen != screenQueue || h.quit {
		t.Fatalf("q in the article did not return to the queue")
	}
	if h.m.qt.cursor != 1 {
		t.Errorf("the queue cursor moved to %d, want it on the article just left (1)", h.m.qt.cursor)
	}
	if !strings.Contains(h.screen(), "◐ in progress") {
		t.Errorf("the queue does not show the new status:\n%s", h.screen())
	}
}

// TestQueuePages: the queue holds a page of the store's listing, not the
// corpus; its counts are the store's over every article; moving past the
// page reads the next one, G the last.
func TestQueuePages(t *testing.T) {
	var arts []model.Article
	for i := range 1200 {
		arts = append(arts, article(fmt.Sprintf("Report %04d", i), fmt.Sprintf("Text of report number %d.", i)))
	}
	st := newFakeStore(arts...)
	done := model.NewAnnotation(arts[1100].ID, "alice", model.DefaultSchema().Name)
	done.Status = model.StatusDone
	if _, err := st.Save(done, "done"); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, st, 120, 30)
	if n := len(h.m.qt.page); n != queuePage {
		t.Fatalf("the queue holds %d summaries, want a page of %d", n, queuePage)
	}
	if s := h.screen(); !strings.Contains(s, "1/1200 finished") || !strings.Contains(s, "done 1") {
		t.Errorf("counts are not over every article:\n%s", lastLines(s, 40))
	}
	h.keys("G")
	if items := h.m.visibleQueue(); items[h.m.qt.cursor].Title != "Report 1199" {
		t.Errorf("G is on %q, want the last report", items[h.m.qt.cursor].Title)
	}
	h.keys("g")
	for range queuePage {
		h.keys("j")
	}
	if items := h.m.visibleQueue(); items[h.m.qt.cursor].Title != fmt.Sprintf("Report %04d", queuePage) {
		t.Errorf("after %d j the cursor is on %q", queuePage, items[h.m.qt.cursor].Title)
	}
	h.keys("k")
	if items := h.m.visibleQueue(); items[h.m.qt.cursor].Title != fmt.Sprintf("Report %04d", queuePage-1) {
		t.Errorf("k after paging is on %q", items[h.m.qt.cursor].Title)
	}
	// The status filter asks the store: done is one article.
	h.keys("tab tab tab")
	if items := h.m.visibleQueue(); h.m.filterStatus() != model.StatusDone || len(items) != 1 || items[0].ID != arts[1100].ID {
		t.Errorf("the done filter lists %d articles", len(items))
	}
}
