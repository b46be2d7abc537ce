package model

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"
)

// hardPieces are the stretches of text that break offset arithmetic: code
// points of every UTF-8 length, characters outside the BMP (two UTF-16
// units), sequences of several code points that draw as one glyph, and line
// ends that some tools count as one character.
var hardPieces = []string{
	"😀",                            // 4 bytes, 1 code point, 2 UTF-16 units
	"👩\u200d👩\u200d👧",              // ZWJ family: 5 code points, 18 bytes
	"🇸🇾",                           // flag: two regional indicators
	"e\u0301",                      // e + combining acute: 2 code points
	"é",                            // precomposed: 1 code point, 2 bytes
	"中文報道",                         // CJK, 3 bytes each
	"سالم الراوي",                  // Arabic, 2 bytes each
	"€",                            // 3 bytes
	"\U00010000",                   // first code point outside the BMP
	"\uFFFF",                       // last code point inside it
	"\r\n",                         // CRLF stays two characters
	"\t",                           // tab
	" ",                            // space
	"a",                            // ASCII
	"ISIS claimed 53 SDF fighters", // plain ASCII run
	".\n",                          // line end
}

// randomText joins random hard pieces until the text is about n bytes long.
func randomText(r *rand.Rand, n int) string {
	var sb strings.Builder
	for sb.Len() < n {
		sb.WriteString(hardPieces[r.IntN(len(hardPieces))])
	}
	return sb.String()
}

// checkOffsets verifies every property of the offset conversions on one
// text. It reports through t and returns nothing, so both the property test
// and the fuzz target use it.
func checkOffsets(t *testing.T, text string) {
	t.Helper()
	ri := NewRuneIndex(text)
	want := utf8.RuneCountInString(text)
	if got := ri.Len(); got != want {
		t.Fatalf("Len() = %d, want %d (text %d bytes)", got, want, len(text))
	}

	// Every character boundary, with its code point and UTF-16 offsets
	// counted independently of the code under test.
	type boundary struct{ b, r, u int }
	var bounds []boundary
	r, u := 0, 0
	for b, c := range text {
		bounds = append(bounds, boundary{b, r, u})
		r++
		u += len(utf16.Encode([]rune{c}))
	}
	bounds = append(bounds, boundary{len(text), r, u})

	for _, bd := range bounds {
		if got := ri.Runes(bd.b); got != bd.r {
			t.Fatalf("Runes(%d) = %d, want %d", bd.b, got, bd.r)
		}
		got, err := ri.Bytes(bd.r)
		if err != nil {
			t.Fatalf("Bytes(%d): %v", bd.r, err)
		}
		if got != bd.b {
			t.Fatalf("Bytes(%d) = %d, want %d", bd.r, got, bd.b)
		}
	}

	for _, bad := range []int{-1, -1000, want + 1, want + 2, want + checkpointEvery + 7} {
		if b, err := ri.Bytes(bad); err == nil {
			t.Errorf("Bytes(%d) = %d, want an error (text has %d code points)", bad, b, want)
		}
	}

	// A Python slice text[rs:re] over code points selects the same text as
	// the byte range the index gives.
	runes := []rune(text)
	rng := rand.New(rand.NewPCG(uint64(len(text)), 7))
	for range 200 {
		rs := rng.IntN(len(runes) + 1)
		re := rs + rng.IntN(len(runes)-rs+1)
		bs, err1 := ri.Bytes(rs)
		be, err2 := ri.Bytes(re)
		if err1 != nil || err2 != nil {
			t.Fatalf("Bytes(%d), Bytes(%d): %v, %v", rs, re, err1, err2)
		}
		if py, gos := string(runes[rs:re]), text[bs:be]; py != gos {
			t.Fatalf("code points %d:%d are %q but bytes %d:%d are %q", rs, re, py, bs, be, gos)
		}
		// CheckRange accepts exactly the non-empty ranges on boundaries.
		err := CheckRange(text, bs, be)
		if (err == nil) != (bs < be) {
			t.Fatalf("CheckRange(%d, %d) = %v; want an error only when empty", bs, be, err)
		}
	}

	// UTF16 is O(n) per call: check every boundary of short texts and a
	// sample of long ones, always including both ends.
	step := 1
	if len(bounds) > 400 {
		step = len(bounds) / 200
	}
	for i := 0; i < len(bounds); i += step {
		checkUTF16(t, text, bounds[i].b, bounds[i].u)
	}
	last := bounds[len(bounds)-1]
	checkUTF16(t, text, last.b, last.u)
	for _, bad := range []int{-1, last.u + 1, last.u + 10} {
		if b, err := BytesFromUTF16(text, bad); err == nil {
			t.Errorf("BytesFromUTF16(%d) = %d, want an error (text has %d UTF-16 units)", bad, b, last.u)
		}
	}
	// The middle of every surrogate pair is not an offset.
	for i, bd := range bounds[:len(bounds)-1] {
		if bounds[i+1].u-bd.u == 2 {
			if b, err := BytesFromUTF16(text, bd.u+1); err == nil {
				t.Fatalf("BytesFromUTF16(%d) = %d, want an error: it falls inside %q", bd.u+1, b, text[bd.b:bounds[i+1].b])
			}
		}
	}

	// CheckRange refuses a start or end inside a character.
	for i, bd := range bounds[:len(bounds)-1] {
		next := bounds[i+1].b
		if next-bd.b < 2 {
			continue
		}
		inside := bd.b + 1
		if err := CheckRange(text, inside, len(text)); err == nil {
			t.Fatalf("CheckRange(%d, %d) = nil; %d is inside %q", inside, len(text), inside, text[bd.b:next])
		}
		if err := CheckRange(text, 0, inside); err == nil {
			t.Fatalf("CheckRange(0, %d) = nil; %d is inside %q", inside, inside, text[bd.b:next])
		}
	}
}

func checkUTF16(t *testing.T, text string, b, u int) {
	t.Helper()
	if got := UTF16(text, b); got != u {
		t.Fatalf("UTF16(text, %d) = %d, want %d", b, got, u)
	}
	got, err := BytesFromUTF16(text, u)
	if err != nil {
		t.Fatalf("BytesFromUTF16(text, %d): %v", u, err)
	}
	if got != b {
		t.Fatalf("BytesFromUTF16(text, %d) = %d, want %d", u, got, b)
	}
}

// TestRuneIndexProperties checks the conversions on random texts made of
// hard pieces, shorter than one checkpoint and many checkpoints long, so
// that checkpoints fall inside multi-byte characters.
func TestRuneIndexProperties(t *testing.T) {
	sizes := []struct {
		name     string
		min, max int
	}{
		{"short", 0, 100},
		{"around one checkpoint", 200, 320},
		{"several checkpoints", 500, 1500},
		{"long", 3000, 5000},
	}
	for _, size := range sizes {
		for seed := uint64(1); seed <= 40; seed++ {
			rng := rand.New(rand.NewPCG(seed, 0x5eed))
			text := randomText(rng, size.min+rng.IntN(size.max-size.min+1))
			t.Run(fmt.Sprintf("%s/seed%d", size.name, seed), func(t *testing.T) {
				checkOffsets(t, text)
			})
		}
	}
}

// TestRuneIndexFixedTexts covers texts chosen by hand: empty, pure ASCII
// (the fast path), one of each hard piece, and checkpoints that land on each
// byte of a 4-byte character.
func TestRuneIndexFixedTexts(t *testing.T) {
	tests := []struct {
		name string
		text string
	}{
		{"empty", ""},
		{"ascii", "ISIS claimed 53 SDF fighters were killed."},
		{"long ascii", strings.Repeat("abcdefg\r\n", 700)},
		{"crlf only", strings.Repeat("\r\n", 300)},
		{"emoji at start", "😀 then text"},
		{"emoji at end", "text then 😀"},
		{"checkpoint before emoji", strings.Repeat("a", 256) + "😀b"},
		{"checkpoint on 2nd byte of emoji", strings.Repeat("a", 255) + "😀b"},
		{"checkpoint on 3rd byte of emoji", strings.Repeat("a", 254) + "😀b"},
		{"checkpoint on 4th byte of emoji", strings.Repeat("a", 253) + "😀b"},
		{"checkpoint inside last character", strings.Repeat("a", 254) + "😀"},
		{"checkpoint inside arabic", strings.Repeat("a", 255) + "سالم"},
		{"many checkpoints inside emoji", strings.Repeat("😀", 400) + "!"},
		{"zwj family", strings.Repeat("👩\u200d👩\u200d👧 ", 100)},
		{"flags", strings.Repeat("🇸🇾", 130) + "."},
		{"combining", strings.Repeat("e\u0301", 300)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkOffsets(t, tt.text)
		})
	}
}

// TestRuneIndexLengthMultipleOfCheckpoint keeps a fixed bug fixed: when
// len(text) was a multiple of checkpointEvery, the last checkpoint stayed
// 0, so Runes(len(text)) and Len() returned 0 and Bytes failed near the
// end (the exporter in internal/formats refused such spans).
func TestRuneIndexLengthMultipleOfCheckpoint(t *testing.T) {
	tests := []struct {
		name string
		text string
	}{
		{"256 bytes", "é" + strings.Repeat("a", 254)},
		{"512 bytes", strings.Repeat("a", 300) + "é" + strings.Repeat("b", 210)},
		{"1024 bytes of emoji", strings.Repeat("😀", 256)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if len(tt.text)%checkpointEvery != 0 {
				t.Fatalf("test text is %d bytes, want a multiple of %d", len(tt.text), checkpointEvery)
			}
			ri := NewRuneIndex(tt.text)
			n := utf8.RuneCountInString(tt.text)
			if got := ri.Len(); got != n {
				t.Errorf("Len() = %d, want %d", got, n)
			}
			if got := ri.Runes(len(tt.text)); got != n {
				t.Errorf("Runes(%d) = %d, want %d", len(tt.text), got, n)
			}
			if got, err := ri.Bytes(n); err != nil || got != len(tt.text) {
				t.Errorf("Bytes(%d) = %d, %v; want %d", n, got, err, len(tt.text))
			}
			checkOffsets(t, tt.text)
		})
	}
}

func TestCheckRange(t *testing.T) {
	text := "ISIS 😀 سالم\r\nend" // "😀" is bytes 5-9, "س" 10-12
	tests := []struct {
		name       string
		start, end int
		wantErr    string
	}{
		{"whole text", 0, len(text), ""},
		{"ascii word", 0, 4, ""},
		{"emoji", 5, 9, ""},
		{"arabic letter", 10, 12, ""},
		{"crlf", 18, 20, ""},
		{"empty", 4, 4, "empty"},
		{"reversed", 5, 4, "empty"},
		{"negative start", -1, 4, "outside"},
		{"end past text", 0, len(text) + 1, "outside"},
		{"start inside emoji", 6, 9, "start 6 is inside a character"},
		{"end inside emoji", 5, 8, "end 8 is inside a character"},
		{"start inside arabic", 11, 14, "start 11 is inside a character"},
		{"end inside arabic", 10, 13, "end 13 is inside a character"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckRange(text, tt.start, tt.end)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("CheckRange(%d, %d) = %v, want nil", tt.start, tt.end, err)
			case tt.wantErr != "" && err == nil:
				t.Errorf("CheckRange(%d, %d) = nil, want an error containing %q", tt.start, tt.end, tt.wantErr)
			case tt.wantErr != "" && !strings.Contains(err.Error(), tt.wantErr):
				t.Errorf("CheckRange(%d, %d) = %q, want it to contain %q", tt.start, tt.end, err, tt.wantErr)
			}
		})
	}
}

func TestUTF16(t *testing.T) {
	text := "a😀b🇸🇾c"
	tests := []struct {
		name    string
		units   int
		bytes   int
		wantErr bool
	}{
		{"start", 0, 0, false},
		{"before emoji", 1, 1, false},
		{"inside emoji surrogate pair", 2, 0, true},
		{"after emoji", 3, 5, false},
		{"after b", 4, 6, false},
		{"inside first regional indicator", 5, 0, true},
		{"between regional indicators", 6, 10, false},
		{"inside second regional indicator", 7, 0, true},
		{"before c", 8, 14, false},
		{"end", 9, 15, false},
		{"past end", 10, 0, true},
		{"negative", -1, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := BytesFromUTF16(text, tt.units)
			if tt.wantErr {
				if err == nil {
					t.Errorf("BytesFromUTF16(%d) = %d, want an error", tt.units, got)
				}
				return
			}
			if err != nil || got != tt.bytes {
				t.Fatalf("BytesFromUTF16(%d) = %d, %v; want %d", tt.units, got, err, tt.bytes)
			}
			if back := UTF16(text, tt.bytes); back != tt.units {
				t.Errorf("UTF16(%d) = %d, want %d", tt.bytes, back, tt.units)
			}
		})
	}
}

// FuzzRuneIndex checks the offset properties on any valid UTF-8 text. Run it
// with `go test -fuzz=FuzzRuneIndex ./internal/model/`.
func FuzzRuneIndex(f *testing.F) {
	for _, p := range hardPieces {
		f.Add(p)
		f.Add(strings.Repeat(p, 300))
	}
	f.Add(strings.Repeat("a", 255) + "😀")
	f.Add(strings.Repeat("a", 253) + "👩\u200d👩\u200d👧" + strings.Repeat("e\u0301", 100))
	rng := rand.New(rand.NewPCG(42, 42))
	for range 8 {
		f.Add(randomText(rng, rng.IntN(5000)))
	}
	f.Fuzz(func(t *testing.T, text string) {
		if !utf8.ValidString(text) {
			t.Skip("article texts are valid UTF-8")
		}
		checkOffsets(t, text)
	})
}
