module github.com/annotate-tool/annotate

go 1.26.0

require (
	github.com/charmbracelet/x/term v0.2.2
	go.etcd.io/bbolt v1.5.0
)

require (
	golang.org/x/sync v0.24.0 // indirect
	golang.org/x/sys v0.47.0 // indirect
)
