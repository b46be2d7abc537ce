package bolt

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store"
)

// Claims for overlap (store.Assigner). A claim is keyed by the article's
// import number and the annotator, so one cursor walks the claims beside
// the summaries and statuses in import order; its value is the claim.

var bucketClaims = []byte("claims")

var _ store.Assigner = (*DB)(nil)

func claimKey(seq uint64, annotator string) []byte { return append(u64(seq), annotator...) }

// holders returns, for the article at seq, the annotators who hold a
// place on it: done or skipped (for good), or a claim not lapsed at now.
// Gold is never a holder (review comes after). lapsed collects the keys
// of lapsed claims met.
func holders(st, cl *cursorS, seq uint64, now time.Time, lapsed *[][]byte) (map[string]bool, error) {
	out := map[string]bool{}
	prefix := u64(seq)
	for k, v := st.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = st.Next() {
		who := string(k[8:])
		if store.HoldsPlace(who, decodeStatus(v).Status) {
			out[who] = true
		}
	}
	for k, v := cl.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = cl.Next() {
		c, err := decodeClaim(k, v)
		if err != nil {
			return nil, err
		}
		if c.Expires.After(now) {
			out[c.Annotator] = true
		} else if lapsed != nil {
			*lapsed = append(*lapsed, bytes.Clone(k))
		}
	}
	return out, nil
}

// decodeClaim reads a claim record, naming it when it does not decode.
func decodeClaim(k, v []byte) (store.Claim, error) {
	var c store.Claim
	if err := json.Unmarshal(v, &c); err != nil {
		return c, fmt.Errorf("claim %s is damaged: %w", recordName(string(bucketClaims), k), err)
	}
	return c, nil
}

func putClaim(tx *txn, seq uint64, c store.Claim) error {
	data, err := json.Marshal(c)
	if err != nil {
		return err
	}
	return tx.Bucket(bucketClaims).Put(claimKey(seq, c.Annotator), data)
}

// Assign picks the annotator's next article under overlap k and claims it
// (store.Assigner), in one write transaction: the file's writer lock makes
// the count and the claim one step for every process.
func (db *DB) Assign(annotator string, k int, ttl time.Duration) (string, bool, error) {
	if k < 1 {
		return "", false, fmt.Errorf("overlap must be at least 1, got %d", k)
	}
	now := db.Now()
	var id string
	var found bool
	err := db.update(func(tx *txn) error {
		if _, err := bucket(tx, bucketClaims); err != nil {
			return err
		}
		// The annotator's own live claim comes first: the claims are few,
		// so they are read before the queue.
		var lapsed [][]byte
		var own, started, fresh uint64
		var ownSince time.Time
		err := tx.Bucket(bucketClaims).ForEach(func(ck, cv []byte) error {
			if len(ck) <= 8 || string(ck[8:]) != annotator {
				return nil
			}
			c, err := decodeClaim(ck, cv)
			if err != nil {
				return err
			}
			seq := binary.BigEndian.Uint64(ck[:8])
			s := decodeStatus(tx.Bucket(bucketArticleStatus).Get(statusKey(seq, annotator))).Status
			switch {
			case store.Finished(s) || !c.Expires.After(now):
				// Finished (the status holds the place now) or lapsed.
				lapsed = append(lapsed, bytes.Clone(ck))
			case own == 0:
				own, ownSince = seq, c.Since
			}
			return nil
		})
		if err != nil {
			return err
		}
		// Else the queue in import order, the statuses and claims walked
		// beside it (one step each, no lookups), up to the first article
		// others have started with a place free; the first untouched one
		// is kept in case there is none.
		sums := tx.Bucket(bucketSummaries).Cursor()
		st := tx.Bucket(bucketArticleStatus).Cursor()
		cl := tx.Bucket(bucketClaims).Cursor()
		sk, sv := st.First()
		ck, cv := cl.First()
		var holders []string
		hold := func(who string) {
			if !slices.Contains(holders, who) {
				holders = append(holders, who)
			}
		}
		for k2, v := sums.First(); k2 != nil && own == 0 && started == 0; k2, v = sums.Next() {
			if v == nil || len(k2) != 8 {
				continue // damaged: the transaction fails with its name
			}
			seq := binary.BigEndian.Uint64(k2)
			holders = holders[:0]
			var mine model.Status
			for ; sk != nil && len(sk) >= 8 && binary.BigEndian.Uint64(sk[:8]) <= seq; sk, sv = st.Next() {
				if binary.BigEndian.Uint64(sk[:8]) < seq {
					continue
				}
				who, s := string(sk[8:]), decodeStatus(sv).Status
				switch {
				case who == annotator:
					mine = s
				case store.HoldsPlace(who, s):
					hold(who)
				}
			}
			for ; ck != nil && len(ck) > 8 && binary.BigEndian.Uint64(ck[:8]) <= seq; ck, cv = cl.Next() {
				if binary.BigEndian.Uint64(ck[:8]) < seq || string(ck[8:]) == annotator {
					continue
				}
				c, err := decodeClaim(ck, cv)
				if err != nil {
					return err
				}
				if c.Expires.After(now) {
					hold(c.Annotator)
				} else {
					lapsed = append(lapsed, bytes.Clone(ck))
				}
			}
			if store.Finished(mine) || len(holders) >= k {
				continue
			}
			if len(holders) > 0 || mine == model.StatusInProgress {
				started = seq
			} else if fresh == 0 {
				fresh = seq
			}
		}
		pick, since := own, ownSince
		if pick == 0 {
			pick, since = started, now
		}
		if pick == 0 {
			pick, since = fresh, now
		}
		for _, key := range lapsed {
			if err := tx.Bucket(bucketClaims).Delete(key); err != nil {
				return err
			}
		}
		if pick == 0 {
			return nil
		}
		sum, err := decodeSummary(pick, tx.Bucket(bucketSummaries).Get(u64(pick)))
		if err != nil {
			return fmt.Errorf("article number %d: %w: run `annotate check`", pick, err)
		}
		id, found = sum.ID, true
		return putClaim(tx, pick, store.Claim{ArticleID: id, Annotator: annotator, Since: since, Expires: now.Add(ttl)})
	})
	if err != nil {
		return "", false, err
	}
	return id, found, nil
}

// Renew extends the annotator's claim, or takes the place again when it
// lapsed and is still free (store.Assigner).
func (db *DB) Renew(articleID, annotator string, k int, ttl time.Duration) error {
	now := db.Now()
	return db.update(func(tx *txn) error {
		if _, err := bucket(tx, bucketClaims); err != nil {
			return err
		}
		seq, ok := articleSeq(tx, articleID)
		if !ok {
			return fmt.Errorf("article %s: %w", articleID, store.ErrNotFound)
		}
		since := now
		if v := tx.Bucket(bucketClaims).Get(claimKey(seq, annotator)); v != nil {
			c, err := decodeClaim(claimKey(seq, annotator), v)
			if err != nil {
				return err
			}
			since = c.Since
			if c.Expires.After(now) {
				return putClaim(tx, seq, store.Claim{ArticleID: articleID, Annotator: annotator, Since: since, Expires: now.Add(ttl)})
			}
		}
		h, err := holders(tx.Bucket(bucketArticleStatus).Cursor(), tx.Bucket(bucketClaims).Cursor(), seq, now, nil)
		if err != nil {
			return err
		}
		delete(h, annotator)
		if len(h) >= k {
			return fmt.Errorf("article %s is now with %d other annotators: %w", articleID, len(h), store.ErrNotFound)
		}
		return putClaim(tx, seq, store.Claim{ArticleID: articleID, Annotator: annotator, Since: since, Expires: now.Add(ttl)})
	})
}

// Release drops the annotator's claim on the article (store.Assigner).
func (db *DB) Release(articleID, annotator string) error {
	return db.update(func(tx *txn) error {
		b, err := bucket(tx, bucketClaims)
		if err != nil {
			return err
		}
		seq, ok := articleSeq(tx, articleID)
		if !ok {
			return nil
		}
		return b.Delete(claimKey(seq, annotator))
	})
}

// Claims lists the claims not lapsed, in import order (store.Assigner).
func (db *DB) Claims(fn func(store.Claim) error) error {
	now := db.Now()
	var out []store.Claim
	err := db.view(func(tx *txn) error {
		b, err := bucket(tx, bucketClaims)
		if err != nil {
			return err
		}
		return b.ForEach(func(k, v []byte) error {
			c, err := decodeClaim(k, v)
			if err != nil {
				return err
			}
			if c.Expires.After(now) {
				out = append(out, c)
			}
			return nil
		})
	})
	if err != nil {
		return err
	}
	for _, c := range out {
		if err := fn(c); err != nil {
			return err
		}
	}
	return nil
}

// checkClaims reports claims that do not decode or name no article.
func checkClaims(tx *txn) []string {
	var problems []string
	seqs := tx.Bucket(bucketSummaries)
	_ = tx.Bucket(bucketClaims).ForEach(func(k, v []byte) error {
		var c store.Claim
		switch {
		case len(k) <= 8:
			problems = append(problems, fmt.Sprintf("claim %s has a malformed key", recordName(string(bucketClaims), k)))
		case json.Unmarshal(v, &c) != nil:
			problems = append(problems, fmt.Sprintf("claim %s is damaged", recordName(string(bucketClaims), k)))
		case seqs.Get(k[:8]) == nil:
			problems = append(problems, fmt.Sprintf("claim %s names article number %d, which does not exist", recordName(string(bucketClaims), k), binary.BigEndian.Uint64(k[:8])))
		}
		return nil
	})
	return problems
}
