// Command annotate is a keyboard-first terminal tool for annotating news
// articles about violent incidents. See README.md.
package main

import (
	"os"

	"github.com/charmbracelet/x/term"

	"github.com/annotate-tool/annotate/internal/cli"
)

func main() {
	interactive := term.IsTerminal(os.Stdout.Fd()) && term.IsTerminal(os.Stdin.Fd())
	cli.CheckInChild = true
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv, interactive))
}
