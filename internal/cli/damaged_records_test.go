package cli_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	bbolt "go.etcd.io/bbolt"
)

// Records damaged inside a sound bbolt file (issue 12, defect 3): one bit
// flipped, or one offset moved, in a record bbolt itself reads fine. Every
// command that reads the record stops naming it (exit 1, the file and the
// record on one line); check lists it; an import refuses before writing;
// and a command that does not read it (list, for an article's text) still
// works. The database is unchanged in every row.

// mutateRecord returns the healthy database with the first value of bucket
// holding find changed by mutate (given the value and where find starts).
func mutateRecord(bucket, find string, mutate func(v []byte, at int)) func(t *testing.T) []byte {
	return func(t *testing.T) []byte {
		return editedHealthy(t, "d.db", func(tx *bbolt.Tx) error {
			b := tx.Bucket([]byte(bucket))
			if b == nil {
				return errors.New("no bucket " + bucket)
			}
			var key, val []byte
			_ = b.ForEach(func(k, v []byte) error {
				if i := bytes.Index(v, []byte(find)); i >= 0 && key == nil {
					key, val = bytes.Clone(k), bytes.Clone(v)
					mutate(val, i)
				}
				return nil
			})
			if key == nil {
				return errors.New("no record of " + bucket + " holds " + find)
			}
			return b.Put(key, val)
		})
	}
}

// flipBit flips the lowest bit of the byte at the match.
func flipBit(v []byte, at int) { v[at] ^= 1 }

// recordDamageRows: for one damaged record, what each command does. reads
// lists the commands that read the record (they must refuse, naming
// what); the others must work as before.
func recordDamageRows(name string, content func(t *testing.T) []byte, what string, reads ...string) []hostileRow {
	commands := map[string][]string{
		"list":    {"list"},
		"export":  {"export", "--format", "native", "--all"},
		"history": {"history", "--everyone"},
		"import":  {"import", "NEW"},
		"check":   {"check"},
	}
	var rows []hostileRow
	for _, cmd := range []string{"list", "export", "history", "import", "check"} {
		refuses := cmd == "import" || cmd == "check"
		for _, r := range reads {
			refuses = refuses || r == cmd
		}
		row := hostileRow{
			name: "record/" + name + "/" + cmd,
			args: func(t *testing.T, h *harness) []string {
				if err := os.MkdirAll(filepath.Dir(h.dbPath()), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(h.dbPath(), content(t), 0o600); err != nil {
					t.Fatal(err)
				}
				args := append([]string(nil), commands[cmd]...)
				if args[len(args)-1] == "NEW" {
					args[len(args)-1] = h.write("new.txt", []byte("New article\nAn article to import.\n"))
				}
				return args
			},
			child: true,
			data:  cmd == "export",
			lines: -1,
		}
		if refuses {
			row.code, row.stderr = 1, []string{"annotate.db", what}
			if cmd != "check" {
				row.lines = 1
			}
		}
		rows = append(rows, row)
	}
	return rows
}

func recordRows() []hostileRow {
	var rows []hostileRow
	// A bit of an article's text: list reads summaries only and works;
	// export reads the text and refuses.
	rows = append(rows, recordDamageRows("article text bit", mutateRecord("articles", "Velmo", flipBit), "fails its checksum", "export")...)
	// An offset moved by one inside the annotation (22 → 23): a valid
	// number, a wrong span, which only the checksum can tell.
	rows = append(rows, recordDamageRows("span offset moved", mutateRecord("annotations", `"start":22`, func(v []byte, at int) { v[at+len(`"start":2`)] = '3' }), "annotations/", "export")...)
	rows = append(rows, recordDamageRows("label bit", mutateRecord("annotations", `"label":"GPE"`, func(v []byte, at int) { flipBit(v, at+len(`"label":"`)) }), "annotations/", "export")...)
	// A title in the queue's summary: list reads it.
	rows = append(rows, recordDamageRows("title bit in a summary", mutateRecord("summaries", "ISIS fighters", flipBit), "summaries/", "list")...)
	rows = append(rows, recordDamageRows("title bit in the article", mutateRecord("articles", `"title":"ISIS`, func(v []byte, at int) { flipBit(v, at+len(`"title":"`)) }), "articles/", "export")...)
	rows = append(rows, recordDamageRows("status record bit", mutateRecord("article_status", "done", flipBit), "article_status/", "list")...)
	rows = append(rows, recordDamageRows("history entry bit", mutateRecord("history", `"action"`, flipBit), "history/", "history")...)
	return rows
}
