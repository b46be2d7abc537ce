package main

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/annotate-tool/annotate/internal/model"
	abolt "github.com/annotate-tool/annotate/internal/store/bolt"
)

// commitResult is what tagging one span, edits times over, cost through
// the store: the median commit, the median of the first and of the last
// tenth of the edits, and the bytes the file's used pages grew by per
// edit.
type commitResult struct {
	median, first, last time.Duration
	bytesPerEdit        float64
	spans               int
}

// commitBench opens a new database through the store, adds one article
// of size bytes with spans spans (0: the article's own names), then tags
// and untags one more span edits times, each a durable Save as the screen
// makes it.
func commitBench(dir string, seed uint64, size, spans, edits int) (commitResult, error) {
	var res commitResult
	path := filepath.Join(dir, fmt.Sprintf("commit-%d.db", size))
	db, err := abolt.Open(path, abolt.Options{})
	if err != nil {
		return res, err
	}
	rng := rand.New(rand.NewPCG(seed, 7))
	// Dense enough for the spans asked for (one word in ten is a name).
	every := spanEvery
	if spans > 0 {
		every = 10
	}
	title, text, named := article(rng, int(seed), size, every)
	art := model.Article{ID: model.ArticleID(text), Text: text, Title: title, ImportedAt: time.Now().UTC()}
	if _, err := db.AddArticles([]model.Article{art}); err != nil {
		return res, err
	}
	if spans > 0 && len(named) > spans {
		named = named[:spans]
	}
	a := model.NewAnnotation(art.ID, "bench", "conflict-incidents")
	for _, s := range named {
		a.Entities = append(a.Entities, model.Span{ID: a.NewID("e"), Start: s.bytes[0], End: s.bytes[1], Label: s.Label})
	}
	res.spans = len(a.Entities)
	// The span tagged and untagged: the title's first word, which no
	// named span covers.
	extra := model.Span{Start: 0, End: len("Report"), Label: "ORG"}
	if a, err = db.Save(a, "seed"); err != nil {
		return res, err
	}
	if err := db.Close(); err != nil {
		return res, err
	}
	before, err := usedBytes(path)
	if err != nil {
		return res, err
	}
	if db, err = abolt.Open(path, abolt.Options{}); err != nil {
		return res, err
	}
	times := make([]time.Duration, 0, edits)
	for i := range edits {
		action := "tag ORG"
		if i%2 == 0 {
			s := extra
			s.ID = a.NewID("e")
			a.Entities = append(a.Entities, s)
		} else {
			a.Entities = a.Entities[:len(a.Entities)-1]
			action = "untag ORG"
		}
		start := time.Now()
		a, err = db.Save(a, action)
		if err != nil {
			return res, err
		}
		times = append(times, time.Since(start))
	}
	if err := db.Close(); err != nil {
		return res, err
	}
	after, err := usedBytes(path)
	if err != nil {
		return res, err
	}
	tenth := max(1, edits/10)
	res.median = median(times)
	res.first = median(times[:tenth])
	res.last = median(times[len(times)-tenth:])
	res.bytesPerEdit = float64(after-before) / float64(edits)
	return res, nil
}

// usedBytes is the size of the pages a bbolt file uses (its high-water
// mark less its free pages), which grows by what is stored, not by the
// file's allocation steps.
func usedBytes(path string) (int64, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 5 * time.Second})
	if err != nil {
		return 0, err
	}
	defer db.Close()
	var used int64
	err = db.View(func(tx *bolt.Tx) error {
		st := db.Stats()
		used = tx.Size() - int64(st.FreePageN+st.PendingPageN)*int64(db.Info().PageSize)
		return nil
	})
	return used, err
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
