package tui

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/annotate-tool/annotate/internal/model"
)

// longText generates an article of about n characters: sentences of
// invented words with place names, numbers and some non-Latin text, in
// paragraphs.
func longText(n int) string {
	r := rand.New(rand.NewPCG(11, 12))
	words := []string{"the", "convoy", "council", "said", "fighters", "near", "bridge", "on", "Tuesday",
		"residents", "reported", "shelling", "of", "a", "checkpoint", "Raqqa", "Qasr", "Tamra", "officials",
		"denied", "12", "killed", "wounded", "vehicles", "القافلة", "Şahin", "north", "road", "market"}
	var b strings.Builder
	for b.Len() < n {
		for s := 0; s < 4+r.IntN(4); s++ {
			for w := 0; w < 8+r.IntN(12); w++ {
				if w > 0 {
					b.WriteByte(' ')
				}
				b.WriteString(words[r.IntN(len(words))])
			}
			b.WriteString(". ")
		}
		b.WriteString("\n\n")
	}
	return b.String()
}

// longHarness opens a generated article of n characters with spans on
// about every len(text)/spans-th token, scrolled to the middle.
func longHarness(b *testing.B, n, spans, width, height int) *harness {
	b.Helper()
	text := longText(n)
	art := article("Long", text)
	st := newFakeStore(art)
	ann := model.NewAnnotation(art.ID, "alice", "conflict-incidents")
	toks := tokenize(text)
	labels := model.DefaultSchema().Labels
	for i := 0; i < spans && i*len(toks)/spans < len(toks); i++ {
		tok := toks[i*len(toks)/spans]
		ann.Entities = append(ann.Entities, model.Span{ID: ann.NewID("e"), Start: tok.Start, End: tok.End, Label: labels[i%len(labels)].Name})
	}
	if _, err := st.Save(ann, "seed"); err != nil {
		b.Fatal(err)
	}
	h := newHarness(b, st, width, height)
	h.open(art.ID)
	mid := h.m.doc.tokens[len(h.m.doc.tokens)/2]
	h.m.selectRange(mid)
	if len(h.m.spans) < spans*9/10 {
		b.Fatalf("only %d spans", len(h.m.spans))
	}
	return h
}

func BenchmarkRenderLongArticle(b *testing.B) {
	for _, size := range [][2]int{{80, 24}, {200, 60}} {
		b.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(b *testing.B) {
			h := longHarness(b, 200_000, 2000, size[0], size[1])
			b.ReportAllocs()
			for b.Loop() {
				_ = h.m.Render()
			}
		})
	}
}

func BenchmarkRenderShortArticle(b *testing.B) {
	for _, size := range [][2]int{{80, 24}, {200, 60}} {
		b.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(b *testing.B) {
			h := longHarness(b, 2_000, 20, size[0], size[1])
			b.ReportAllocs()
			for b.Loop() {
				_ = h.m.Render()
			}
		})
	}
}

// BenchmarkKeyMotion: one w key through Update, then the frame it leads to.
func BenchmarkKeyMotion(b *testing.B) {
	h := longHarness(b, 200_000, 2000, 80, 24)
	w := press("w")
	last := h.m.doc.tokens[len(h.m.doc.tokens)-1]
	mid := h.m.doc.tokens[len(h.m.doc.tokens)/2]
	b.ReportAllocs()
	for b.Loop() {
		if h.m.head == last {
			h.m.selectRange(mid)
		}
		h.m.Update(w)
		_ = h.m.Render()
	}
}

func BenchmarkWrap200k(b *testing.B) {
	text := longText(200_000)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		_ = wrap(text, 76)
	}
}

// BenchmarkNewDocument200k: tokenizing and finding sentences, done once
// when an article opens (in the load command, off the update loop).
func BenchmarkNewDocument200k(b *testing.B) {
	art := article("Long", longText(200_000))
	b.SetBytes(int64(len(art.Text)))
	b.ReportAllocs()
	for b.Loop() {
		_ = newDocument(art)
	}
}

// BenchmarkFrame160x50 is the frame: 160x50, the long article
// (200,000 characters, 2,000 spans) and a short one.
func BenchmarkFrame160x50(b *testing.B) {
	for _, c := range []struct {
		name         string
		chars, spans int
	}{{"long", 200_000, 2000}, {"short", 2_000, 20}} {
		b.Run(c.name, func(b *testing.B) {
			h := longHarness(b, c.chars, c.spans, 160, 50)
			b.ReportAllocs()
			for b.Loop() {
				_ = h.m.Render()
			}
		})
	}
}
