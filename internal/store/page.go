package store

import (
	"os"

	"github.com/annotate-tool/annotate/internal/model"
)

// PageFromSummaries answers a Query from a full listing: what a store
// without an index of its own does (the in-memory test stores). It reads
// everything, so a store for real corpora keeps summaries and counters
// instead.
func PageFromSummaries(all func(func(ArticleSummary) error) error, q Query) (Page, error) {
	p := Page{Counts: map[model.Status]int{}}
	err := all(func(s ArticleSummary) error {
		st := StatusOf(s, q.Annotator)
		p.Counts[st]++
		if q.Status != "" && st != q.Status {
			return nil
		}
		if p.Total >= q.Offset && (q.Limit <= 0 || len(p.Items) < q.Limit) {
			p.Items = append(p.Items, s)
		}
		p.Total++
		return nil
	})
	return p, err
}

// NextFromSummaries answers NextToWork from a full listing.
func NextFromSummaries(all func(func(ArticleSummary) error) error, annotator, after string) (string, bool, error) {
	var ids []string
	var statuses []model.Status
	start := 0
	err := all(func(s ArticleSummary) error {
		if s.ID == after {
			start = len(ids) + 1
		}
		ids = append(ids, s.ID)
		statuses = append(statuses, StatusOf(s, annotator))
		return nil
	})
	if err != nil {
		return "", false, err
	}
	for _, want := range []model.Status{model.StatusInProgress, model.StatusTodo} {
		for k := range ids {
			i := (start + k) % len(ids)
			if ids[i] != after && statuses[i] == want {
				return ids[i], true, nil
			}
		}
	}
	return "", false, nil
}

// StatusOf is an annotator's status for an article: todo when untouched.
func StatusOf(s ArticleSummary, annotator string) model.Status {
	if st, ok := s.Statuses[annotator]; ok && st != "" {
		return st
	}
	return model.StatusTodo
}

// FileKind names what a path that is not a regular file is ("a named pipe
// (FIFO)"), for the one message the store and the command line give when
// refusing it: opening a FIFO or a device would wait forever.
func FileKind(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "a folder"
	case m&os.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&os.ModeSocket != 0:
		return "a socket"
	case m&os.ModeDevice != 0:
		return "a device"
	case m&os.ModeSymlink != 0:
		return "a symbolic link"
	}
	return "not a regular file"
}
