package store

// Batches calls fn for every item of a listing read in batches, each by
// its own call of read (a short read transaction, so that fn, running
// between them, may write and other processes can): read returns up to
// size items following key after (K's zero value for the first batch) and
// the key of the last one. A batch of fewer than size items is the last.
// Articles, PostgreSQL's History and Copier's readers use it.
func Batches[T, K any](size int, read func(after K) (batch []T, last K, err error), fn func(T) error) error {
	var after K
	for {
		batch, last, err := read(after)
		if err != nil {
			return err
		}
		for _, item := range batch {
			if err := fn(item); err != nil {
				return err
			}
		}
		if len(batch) < size {
			return nil
		}
		after = last
	}
}
