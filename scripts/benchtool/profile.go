package main

import (
	"fmt"
	"os"
	"runtime/pprof"

	"github.com/annotate-tool/annotate/internal/cli"
)

// profile runs one annotate command in this process with a CPU profile
// written to path (go tool pprof reads it):
//
//	benchtool profile cpu.out --db X export --format spacy -o out.jsonl
func profile(path string, args []string) int {
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer f.Close()
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	code := cli.Main(args, os.Stdin, os.Stdout, os.Stderr, os.Getenv, false)
	pprof.StopCPUProfile()
	return code
}
