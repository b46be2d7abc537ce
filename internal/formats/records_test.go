package formats

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/annotate-tool/annotate/internal/model"
)

func TestJSONRecordShapes(t *testing.T) {
	tests := []struct {
		name, data string
		lines      []int  // where each record starts
		bad        []int  // lines of bad records
		err        string // a whole-file error
	}{
		{name: "JSONL", data: "{\"a\":1}\n\n{\"a\":2}\n", lines: []int{1, 3}},
		{name: "JSONL with a byte order mark and CRLF", data: "\uFEFF{\"a\":1}\r\n{\"a\":2}\r\n", lines: []int{1, 2}},
		{name: "a bad line among good ones", data: "{\"a\":1}\n{\"a\":\n{\"a\":3}\n", lines: []int{1, 3}, bad: []int{2}},
		{name: "an array over lines", data: "[\n  {\"a\": 1},\n  {\n    \"a\": 2\n  }\n]\n", lines: []int{2, 3}},
		{name: "an array on one line", data: `[{"a":1},{"a":2}]`, lines: []int{1, 1}},
		{name: "one object over lines", data: "{\n  \"a\": 1,\n  \"b\": [1, 2]\n}\n", lines: []int{1}},
		{name: "an empty array", data: "[]", lines: nil},
		{name: "an array that breaks off", data: "[\n{\"a\":1},\n{\"a\":", err: "x:3: the JSON breaks off before its end"},
		{name: "empty", data: "", err: "x: empty"},
		{name: "only white space", data: " \n", err: "x: blank: only white space"},
		{name: "not JSON", data: "\n\nid,text\n", err: "x:3: not JSON"},
		{name: "Latin-1 inside an array", data: "[\n{\"text\": \"Caf\xe9\"}]", err: "x: not valid UTF-8 (line 2): convert the file to UTF-8 or pass --encoding"},
		{name: "Latin-1 in JSONL", data: "{\"a\":1}\n{\"text\": \"Caf\xe9\"}\n", err: "x: not valid UTF-8 (line 2)"},
		{name: "UTF-16", data: "\xff\xfe[\x00]\x00", err: "not valid UTF-8 (line 1)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var lines, bad []int
			err := jsonRecords("x", strings.NewReader(tt.data), func(raw json.RawMessage, line int, lineErr error) error {
				if lineErr != nil {
					bad = append(bad, line)
					return nil
				}
				if !json.Valid(raw) {
					t.Errorf("line %d: record %q is not JSON", line, raw)
				}
				lines = append(lines, line)
				return nil
			})
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Errorf("error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if fmtInts(lines) != fmtInts(tt.lines) || fmtInts(bad) != fmtInts(tt.bad) {
				t.Errorf("records at %v, bad at %v; want %v and %v", lines, bad, tt.lines, tt.bad)
			}
		})
	}
}

func fmtInts(v []int) string {
	data, _ := json.Marshal(v)
	return string(data)
}

// TestReadersNeverPanic feeds every reader mangled versions of the test
// files: cut short, bytes changed, numbers made huge or negative. A bad
// file is refused; it never crashes annotate.
func TestReadersNeverPanic(t *testing.T) {
	s := model.DefaultSchema()
	opts := ImportOptions{Schema: s}
	var seeds [][]byte
	filepath.WalkDir("testdata", func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			data, _ := os.ReadFile(p)
			seeds = append(seeds, data)
		}
		return nil
	})
	readers := []reader{ReadNative, ReadSpacy, ReadDoccano, ReadLabelStudio}
	r := rand.New(rand.NewPCG(7, 7))
	mangle := func(data []byte) []byte {
		out := append([]byte(nil), data...)
		switch r.IntN(4) {
		case 0:
			return out[:r.IntN(len(out)+1)]
		case 1:
			for k := 0; k < 1+r.IntN(5) && len(out) > 0; k++ {
				out[r.IntN(len(out))] = byte(r.IntN(256))
			}
		case 2:
			return bytes.ReplaceAll(out, []byte("1"), []byte("-9999999999"))
		case 3:
			return bytes.ReplaceAll(out, []byte(`"`), []byte(`"\ud800`))
		}
		return out
	}
	for i := 0; i < 3000; i++ {
		data := mangle(seeds[r.IntN(len(seeds))])
		text := string(mangle(seeds[r.IntN(len(seeds))]))
		func() {
			defer func() {
				if p := recover(); p != nil {
					t.Fatalf("panic on %q: %v", data, p)
				}
			}()
			for _, read := range readers {
				read("x", bytes.NewReader(data), opts, func(Annotated) error { return nil })
			}
			ReadBrat("x.ann", bytes.NewReader(data), "x.txt", text, opts)
		}()
	}
}
