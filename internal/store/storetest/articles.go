package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store"
)

var articleTests = []test{
	{"AddArticlesDedupes", testAddArticlesDedupes},
	{"ImportOrder", testImportOrder},
	{"TextByteForByte", testTextByteForByte},
	{"RefusesForeignID", testRefusesForeignID},
}

func testAddArticlesDedupes(t *testing.T, open Opener) {
	a, b, c := "first article", "second article 😀", "third article\r\n"
	tests := []struct {
		name    string
		batches [][]string
		added   [][]bool
		order   []string // texts in the listing
	}{
		{"one batch", [][]string{{a, b, c}}, [][]bool{{true, true, true}}, []string{a, b, c}},
		{"same text twice in one batch", [][]string{{a, a, b}}, [][]bool{{true, false, true}}, []string{a, b}},
		{"same text in a later batch", [][]string{{a, b}, {b, c, a}}, [][]bool{{true, true}, {false, true, false}}, []string{a, b, c}},
		{"only duplicates", [][]string{{c}, {c}, {c}}, [][]bool{{true}, {false}, {false}}, []string{c}},
		{"empty batch", [][]string{{}, {b}}, [][]bool{{}, {true}}, []string{b}},
		{"CRLF and LF are different texts", [][]string{{"x\r\n", "x\n"}}, [][]bool{{true, true}}, []string{"x\r\n", "x\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := open(t)
			for i, batch := range tt.batches {
				arts := make([]model.Article, len(batch))
				for j, text := range batch {
					arts[j] = newArticle(text)
					arts[j].Title = fmt.Sprintf("batch %d item %d", i, j) // a new title does not make a new article
				}
				added, err := s.AddArticles(arts)
				if err != nil {
					t.Fatalf("batch %d: %v", i, err)
				}
				if !slices.Equal(added, tt.added[i]) {
					t.Errorf("batch %d: added = %v, want %v", i, added, tt.added[i])
				}
			}
			var got, want []string
			for _, sum := range summaries(t, s) {
				got = append(got, sum.ID)
				if !strings.HasPrefix(sum.Title, "batch ") {
					t.Errorf("title %q", sum.Title)
				}
			}
			for _, text := range tt.order {
				want = append(want, model.ArticleID(text))
			}
			if !slices.Equal(got, want) {
				t.Errorf("listing = %v, want %v", got, want)
			}
			// A text imported again keeps the title it came with first.
			firstBatch := 0
			if len(tt.batches[0]) == 0 {
				firstBatch = 1
			}
			if first, err := s.Article(want[0]); err != nil || first.Title != fmt.Sprintf("batch %d item 0", firstBatch) {
				t.Errorf("first article %q, %v: want the title it was first imported with", first.Title, err)
			}
		})
	}
}

// testImportOrder: the listing follows import order, not ID order, and
// carries each annotator's status.
func testImportOrder(t *testing.T, open Opener) {
	s := open(t)
	var texts []string
	for i := range 20 {
		texts = append(texts, fmt.Sprintf("article %d: %s", i, hardTexts[i%len(hardTexts)]))
	}
	ids := append(addTexts(t, s, texts[:12]...), addTexts(t, s, texts[12:]...)...)
	if slices.IsSorted(ids) {
		t.Fatal("test setup: import order equals ID order, so the test cannot tell them apart")
	}
	setStatus(t, s, ids[3], "alice", model.StatusDone)
	setStatus(t, s, ids[3], "bob", model.StatusInProgress)
	c := mustAnnotation(t, s, ids[17], "bob")
	c.Notes = "no status set"
	mustSave(t, s, c, "note")

	list := summaries(t, s)
	if len(list) != len(ids) {
		t.Fatalf("listed %d articles, want %d", len(list), len(ids))
	}
	for i, sum := range list {
		if sum.ID != ids[i] {
			t.Errorf("listing[%d] = %s, want %s (import order)", i, sum.ID, ids[i])
		}
		if i > 0 && sum.Seq <= list[i-1].Seq {
			t.Errorf("listing[%d].Seq = %d, not above %d", i, sum.Seq, list[i-1].Seq)
		}
		if want := utf8.RuneCountInString(texts[i]); sum.Length != want {
			t.Errorf("listing[%d].Length = %d, want %d code points", i, sum.Length, want)
		}
		if want := model.TitleFromText(texts[i]); sum.Title != want || sum.Source != "test" {
			t.Errorf("listing[%d] title %q source %q, want %q, test", i, sum.Title, sum.Source, want)
		}
		if !sum.ImportedAt.Equal(Start) {
			t.Errorf("listing[%d].ImportedAt = %v, want %v", i, sum.ImportedAt, Start)
		}
		var want map[string]model.Status
		switch i {
		case 3:
			want = map[string]model.Status{"alice": model.StatusDone, "bob": model.StatusInProgress}
		case 17:
			want = map[string]model.Status{"bob": model.StatusTodo}
		}
		if len(sum.Statuses) != len(want) || (len(want) > 0 && !reflect.DeepEqual(sum.Statuses, want)) {
			t.Errorf("listing[%d].Statuses = %v, want %v", i, sum.Statuses, want)
		}
	}
}

// testTextByteForByte: the store never normalises a text, and keeps every
// field of an article.
func testTextByteForByte(t *testing.T, open Opener) {
	s := open(t)
	texts := append([]string{"", "\x00 NUL inside", strings.Repeat("long 😀 text ", 5000), "\xff\xfe not UTF-8"}, hardTexts...)
	arts := make([]model.Article, len(texts))
	for i, text := range texts {
		arts[i] = newArticle(text)
		arts[i].Title = strings.ToValidUTF8(strings.ReplaceAll(arts[i].Title, "\x00", ""), "?")
		arts[i].Published, arts[i].ExternalID = "2024-02-29", fmt.Sprint("ext-", i)
	}
	if _, err := s.AddArticles(arts); err != nil {
		t.Fatal(err)
	}
	for i, text := range texts {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			got, err := s.Article(model.ArticleID(text))
			if err != nil {
				t.Fatal(err)
			}
			if got.Text != text {
				t.Errorf("text = %q, want %q", trunc(got.Text), trunc(text))
			}
			want := arts[i]
			want.ID = model.ArticleID(text)
			if !got.ImportedAt.Equal(want.ImportedAt) {
				t.Errorf("ImportedAt = %v, want %v", got.ImportedAt, want.ImportedAt)
			}
			got.ImportedAt = want.ImportedAt
			if !reflect.DeepEqual(got, want) {
				t.Errorf("article = %+v, want %+v", got, want)
			}
		})
	}
	if _, err := s.Article("0000000000000000"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Article(unknown) error = %v, want ErrNotFound", err)
	}
}

func trunc(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}

// testRefusesForeignID: an article's id is its text's hash; another id is
// refused and nothing of the batch is stored.
func testRefusesForeignID(t *testing.T, open Opener) {
	s := open(t)
	good := newArticle("a good article")
	bad := newArticle("an article with a borrowed id")
	bad.ID = model.ArticleID("something else")
	if _, err := s.AddArticles([]model.Article{good, bad}); err == nil || !strings.Contains(err.Error(), "hash of its text") {
		t.Fatalf("AddArticles with a foreign id: %v, want a refusal saying the id is the text's hash", err)
	}
	if n := len(summaries(t, s)); n != 0 {
		t.Errorf("%d articles stored from a refused batch", n)
	}
	// An article given without an id gets its text's.
	good.ID = ""
	if added, err := s.AddArticles([]model.Article{good}); err != nil || !added[0] {
		t.Fatalf("AddArticles without an id: %v %v", added, err)
	}
	if _, err := s.Article(model.ArticleID(good.Text)); err != nil {
		t.Errorf("article added without an id is not under its text's: %v", err)
	}
}
