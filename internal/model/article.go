// Package model is annotate's domain: articles, annotations (entity spans,
// claims, incidents, source grades), schemas, offsets and validation. It is
// pure: no I/O, no UI and no storage, so every other package can depend on it.
package model

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
)

// Article is one imported text. Its Text is kept byte for byte as imported
// (see the offset contract in README.md); nothing is normalised.
type Article struct {
	// ID is derived from the text (see ArticleID), so importing the same text
	// twice yields the same ID and adds nothing.
	ID         string         `json:"id"`
	Text       string         `json:"text"`
	Title      string         `json:"title,omitempty"`
	Source     string         `json:"source,omitempty"`
	URL        string         `json:"url,omitempty"`
	Published  string         `json:"published,omitempty"`
	ExternalID string         `json:"external_id,omitempty"`
	Meta       map[string]any `json:"meta,omitempty"`
	// ImportedFrom names the file (and line, for JSONL and CSV) the article
	// came from; ImportedAt and ImportedBy say when and by whom.
	ImportedFrom string    `json:"imported_from,omitempty"`
	ImportedAt   time.Time `json:"imported_at"`
	ImportedBy   string    `json:"imported_by,omitempty"`
}

// ArticleID returns the content address of a text: the first 16 hex digits of
// its SHA-256. Sixty-four bits keep collisions out of reach for any corpus a
// team annotates while staying short enough to type.
func ArticleID(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:8])
}

// TitleFromText returns the first non-empty line of text, trimmed, as a title
// for articles imported without one. The line stays part of the text.
func TitleFromText(text string) string {
	start := 0
	for start <= len(text) {
		end := start
		for end < len(text) && text[end] != '\n' {
			end++
		}
		line := trimSpace(text[start:end])
		if line != "" {
			if len([]rune(line)) > 200 {
				line = string([]rune(line)[:200])
			}
			return line
		}
		start = end + 1
	}
	return ""
}

func trimSpace(s string) string {
	s = strings.TrimPrefix(s, "\uFEFF") // a byte order mark is not part of a title
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t' || s[0] == '\r' || s[0] == '#') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t' || s[len(s)-1] == '\r') {
		s = s[:len(s)-1]
	}
	return s
}
