package cli

import (
	"slices"
	"testing"
)

// TestOthersIfNew: the screen asks before starting an annotator the
// database does not know when it knows others (gold is not one of them).
func TestOthersIfNew(t *testing.T) {
	cases := []struct {
		annotator  string
		annotators []string
		want       []string
	}{
		{"Alicee", []string{"alice", "bob", "gold"}, []string{"alice", "bob"}},
		{"alice", []string{"alice", "bob"}, nil},
		{"carol", nil, nil},
		{"carol", []string{"gold"}, nil},
	}
	for _, c := range cases {
		e := &env{annotator: c.annotator, annotators: c.annotators}
		if got := e.othersIfNew(); !slices.Equal(got, c.want) {
			t.Errorf("%s among %v: %v, want %v", c.annotator, c.annotators, got, c.want)
		}
	}
}
