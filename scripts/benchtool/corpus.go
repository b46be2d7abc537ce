package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"unicode/utf8"
)

// The corpus is generated from a fixed seed, so every run (and every
// machine) measures the same bytes: news-like articles of about 2 KB, a
// title line, paragraphs of sentences drawn from a small vocabulary with
// place names, numbers and some non-Latin words.
var (
	vocabulary = []string{"the", "convoy", "council", "said", "fighters", "near", "bridge", "on", "Tuesday",
		"residents", "reported", "shelling", "of", "a", "checkpoint", "officials", "denied", "killed",
		"wounded", "vehicles", "north", "road", "market", "police", "witnesses", "statement", "attack",
		"village", "district", "at", "least", "people", "were", "after", "an", "explosion", "late", "in",
		"the", "morning", "according", "to", "local", "media", "and", "army", "spokesman", "group"}
	names = []struct{ text, label string }{
		{"Raqqa", "GPE"}, {"Qasr", "GPE"}, {"Tamra", "GPE"}, {"Velmo", "GPE"}, {"Kessau", "LOC"},
		{"Şahin", "PER"}, {"Amira Dahl", "PER"}, {"Jonas Ferreira", "PER"}, {"القافلة", "ORG"},
		{"Northern Front", "ORG"}, {"Red Crescent", "ORG"}, {"Highway 4", "FAC"}, {"pickup trucks", "VEH"},
		{"mortars", "WEA"}, {"Friday night", "TIME"}, {"twelve", "COUNT"}, {"Kurdish", "NORP"},
	}
	sources = []string{"Wire North", "Coast Herald", "Valley Monitor", "Daily Ledger"}
)

// spanEvery: one word in spanEvery is a named span. 40 gives about six
// spans per article, so that the spaCy export of 100,000 articles is the
// issue's size (about 280 MB).
var spanEvery = 40

// span is an entity span in code points, as spaCy counts.
type span struct {
	// bytes are the span's byte offsets, as annotate stores them.
	bytes [2]int
	Start int    `json:"start"`
	End   int    `json:"end"`
	Label string `json:"label"`
	Text  string `json:"text"`
}

// article generates article i: its title, its text (which starts with the
// title and holds i, so every text is distinct) and its named spans.
func article(rng *rand.Rand, i, size, every int) (title, text string, spans []span) {
	var b strings.Builder
	runes := 0
	write := func(s string) {
		b.WriteString(s)
		runes += utf8.RuneCountInString(s)
	}
	title = fmt.Sprintf("Report %d: %s %s near %s", i, vocabulary[rng.IntN(len(vocabulary))], vocabulary[rng.IntN(len(vocabulary))], names[rng.IntN(5)].text)
	write(title)
	write("\n\n")
	for b.Len() < size {
		for s := 0; s < 3+rng.IntN(3) && b.Len() < size; s++ {
			for w := 0; w < 8+rng.IntN(12); w++ {
				if w > 0 {
					write(" ")
				}
				if w > 0 && rng.IntN(every) == 0 {
					n := names[rng.IntN(len(names))]
					spans = append(spans, span{bytes: [2]int{b.Len(), b.Len() + len(n.text)}, Start: runes, End: runes + utf8.RuneCountInString(n.text), Label: n.label, Text: n.text})
					write(n.text)
					continue
				}
				word := vocabulary[rng.IntN(len(vocabulary))]
				if w == 0 {
					word = strings.ToUpper(word[:1]) + word[1:]
				}
				write(word)
			}
			write(". ")
		}
		write("\n\n")
	}
	return title, strings.TrimRight(b.String(), " \n"), spans
}

// generate writes n articles as plain JSONL (path) and as annotated spaCy
// JSONL (spacyPath, "" for none), and returns how many spans the spaCy
// file holds.
func generate(n, size int, path, spacyPath string) (int, error) {
	rng := rand.New(rand.NewPCG(2024, 11))
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	var sw *bufio.Writer
	if spacyPath != "" {
		sf, err := os.Create(spacyPath)
		if err != nil {
			return 0, err
		}
		defer sf.Close()
		sw = bufio.NewWriterSize(sf, 1<<20)
	}
	total := 0
	for i := range n {
		title, text, spans := article(rng, i, size, spanEvery)
		source := sources[i%len(sources)]
		line, err := json.Marshal(map[string]any{
			"id": fmt.Sprintf("wire-%06d", i), "title": title, "source": source,
			"published": fmt.Sprintf("2024-%02d-%02d", 1+i%12, 1+i%28), "text": text,
		})
		if err != nil {
			return 0, err
		}
		w.Write(line)
		w.WriteByte('\n')
		if sw != nil {
			total += len(spans)
			line, err := json.Marshal(map[string]any{
				"text": text, "spans": spans, "answer": "accept",
				"meta": map[string]any{"title": title, "source": source},
			})
			if err != nil {
				return 0, err
			}
			sw.Write(line)
			sw.WriteByte('\n')
		}
	}
	if sw != nil {
		if err := sw.Flush(); err != nil {
			return 0, err
		}
	}
	return total, w.Flush()
}
