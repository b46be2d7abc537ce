// Package samples embeds the fictional incident reports annotate ships for
// trying it out (`annotate demo`) and for tests. We wrote them ourselves;
// no real article text is copied here.
package samples

import (
	"embed"
	"io/fs"
	"sort"
)

//go:embed *.txt
var files embed.FS

// Sample is one embedded article file.
type Sample struct {
	Name string
	Text string
}

// All returns the samples in file name order.
func All() []Sample {
	entries, err := fs.Glob(files, "*.txt")
	if err != nil {
		panic(err) // the pattern is constant
	}
	sort.Strings(entries)
	out := make([]Sample, 0, len(entries))
	for _, name := range entries {
		data, err := files.ReadFile(name)
		if err != nil {
			panic(err) // embedded at build time
		}
		out = append(out, Sample{Name: name, Text: string(data)})
	}
	return out
}
