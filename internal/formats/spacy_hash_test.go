package formats

import (
	"fmt"
	"hash/fnv"
	"testing"
)

// TestHash32: the hashes are FNV-1a of the parts each followed by a zero
// byte, the span parts as fmt.Sprint writes them, as they always were.
func TestHash32(t *testing.T) {
	want := func(parts ...string) int32 {
		h := fnv.New32a()
		for _, p := range parts {
			h.Write([]byte(p))
			h.Write([]byte{0})
		}
		return int32(h.Sum32())
	}
	text := "Fighters 👩‍👩‍👧 near Raqqa.\r\n"
	if got, w := hash32(text), want(text); got != w {
		t.Errorf("hash32 = %d, want %d", got, w)
	}
	task := newFNV32()
	task.add(text)
	task.addSpan(0, 8, "ORG")
	task.addSpan(123, 4567, "GPE")
	if w := want(text, fmt.Sprint(0, 8, "ORG"), fmt.Sprint(123, 4567, "GPE")); int32(task) != w {
		t.Errorf("task hash = %d, want %d", int32(task), w)
	}
}
