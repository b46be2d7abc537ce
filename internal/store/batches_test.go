package store

import (
	"errors"
	"fmt"
	"slices"
	"testing"
)

// TestBatches: a listing of n items read size at a time comes whole and
// in order, each read starting after the last key of the one before; a
// failing callback or read stops it with that error.
func TestBatches(t *testing.T) {
	const size = 4
	for _, n := range []int{0, 1, size - 1, size, size + 1, 2 * size, 2*size + 3} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			var afters []int
			read := func(after int) ([]int, int, error) {
				afters = append(afters, after)
				var batch []int
				for i := after + 1; i <= n && len(batch) < size; i++ {
					batch = append(batch, i)
				}
				if len(batch) == 0 {
					return nil, 0, nil
				}
				return batch, batch[len(batch)-1], nil
			}
			var got []int
			if err := Batches(size, read, func(i int) error { got = append(got, i); return nil }); err != nil {
				t.Fatal(err)
			}
			var want []int
			for i := 1; i <= n; i++ {
				want = append(want, i)
			}
			if !slices.Equal(got, want) {
				t.Errorf("items %v, want %v", got, want)
			}
			// One read per full batch, and the one that comes short.
			if wantReads := n/size + 1; len(afters) != wantReads || afters[0] != 0 {
				t.Errorf("reads after %v, want %d starting after the zero key", afters, wantReads)
			}
		})
	}
	stop := errors.New("stop")
	reads := 0
	read := func(after int) ([]int, int, error) {
		reads++
		return []int{after + 1, after + 2}, after + 2, nil
	}
	count := 0
	if err := Batches(2, read, func(int) error {
		if count++; count == 5 {
			return stop
		}
		return nil
	}); !errors.Is(err, stop) || count != 5 || reads != 3 {
		t.Errorf("failing callback: %v after %d items, %d reads; want stop after 5, 3 reads", err, count, reads)
	}
	failing := func(int) ([]int, int, error) { return nil, 0, stop }
	if err := Batches(2, failing, func(int) error { t.Error("fn called after a failed read"); return nil }); !errors.Is(err, stop) {
		t.Errorf("failing read: %v, want stop", err)
	}
}
