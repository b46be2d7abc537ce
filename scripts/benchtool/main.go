// Command benchtool runs the speed table of issue 11 (scripts/bench calls
// it): it generates a seeded corpus, runs annotate's commands on it beside
// bare bbolt programs (and sqlite3) doing the same work in the same run,
// measures commits through the store and frames through the Go
// benchmarks, and prints one line per target:
//
//	BENCH <name> <value> <unit> target <target> <met|miss>
//	BENCH summary <met>/<total> targets met
//
// Lines starting with # give the raw figures behind each ratio.
package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/annotate-tool/annotate/internal/store"
	abolt "github.com/annotate-tool/annotate/internal/store/bolt"
)

func main() {
	if len(os.Args) > 2 && os.Args[1] == "rss" {
		os.Exit(rssChild(os.Args[2:]))
	}
	if len(os.Args) > 3 && os.Args[1] == "profile" {
		os.Exit(profile(os.Args[2], os.Args[3:]))
	}
	if len(os.Args) > 1 && os.Args[1] == "page" {
		if err := pageChild(os.Args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, "benchtool page:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "benchtool:", err)
		os.Exit(1)
	}
}

type bench struct {
	annotate, dir, repo string
	met, total          int
}

// report prints one BENCH line; atMost says the value must not exceed
// target (else it must reach it).
func (b *bench) report(name string, value float64, unit string, target float64, atMost bool) {
	ok := value >= target
	op := ">="
	if atMost {
		ok, op = value <= target, "<="
	}
	status := "miss"
	if ok {
		status = "met"
		b.met++
	}
	b.total++
	fmt.Printf("BENCH %s %s %s target %s%s %s\n", name, num(value), unit, op, num(target), status)
}

func num(v float64) string {
	switch {
	case v >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case v >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return strconv.FormatFloat(v, 'f', 3, 64)
}

func note(format string, args ...any) { fmt.Printf("# "+format+"\n", args...) }

func run(args []string) error {
	fs := flag.NewFlagSet("benchtool", flag.ExitOnError)
	var b bench
	fs.StringVar(&b.annotate, "annotate", "", "the annotate binary to measure")
	fs.StringVar(&b.dir, "dir", "", "a scratch folder (about 3 GB for 100,000 articles)")
	fs.StringVar(&b.repo, "repo", ".", "the repository, for the Go benchmarks")
	n := fs.Int("n", 100000, "articles in the corpus")
	edits := fs.Int("edits", 2000, "edits for the commit and history rows")
	every := fs.Int("span-every", spanEvery, "one word in this many is a named span (the spaCy corpus's density)")
	goBench := fs.Bool("go", true, "run the Go benchmarks (frames, cursor key)")
	fs.Parse(args)
	spanEvery = *every
	if b.annotate == "" || b.dir == "" {
		return errors.New("pass -annotate BIN and -dir DIR")
	}
	if err := os.MkdirAll(b.dir, 0o755); err != nil {
		return err
	}
	jsonl := filepath.Join(b.dir, "articles.jsonl")
	spacy := filepath.Join(b.dir, "annotated.spacy.jsonl")
	start := time.Now()
	spans, err := generate(*n, 2000, jsonl, spacy)
	if err != nil {
		return err
	}
	fi, _ := os.Stat(jsonl)
	note("corpus: %d articles, %.0f MB of JSONL, %d spans in the spaCy file (generated in %.1f s)", *n, float64(fi.Size())/1e6, spans, time.Since(start).Seconds())

	if err := b.imports(jsonl); err != nil {
		return fmt.Errorf("import: %w", err)
	}
	annDB := filepath.Join(b.dir, "annotated.db")
	t, _, err := b.cli(annDB, nil, "import", "--format", "spacy", spacy)
	if err != nil {
		return fmt.Errorf("annotated import: %w", err)
	}
	b.report("annotated_import", t.Seconds(), "s", 20, true)
	if err := b.startup(annDB); err != nil {
		return fmt.Errorf("startup: %w", err)
	}
	t, rss, err := b.cli(annDB, nil, "list", "--json")
	if err != nil {
		return fmt.Errorf("list: %w", err)
	}
	b.report("list_json", t.Seconds(), "s", 1.0, true)
	b.report("list_peak_memory", rss, "MB", 60, true)
	if err := b.export(annDB); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if err := b.commits(*edits); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	if *goBench {
		if err := b.goBenchmarks(); err != nil {
			return fmt.Errorf("go benchmarks: %w", err)
		}
	}
	fmt.Printf("BENCH summary %d/%d targets met\n", b.met, b.total)
	note("total %.0f s", time.Since(start).Seconds())
	return nil
}

// cli runs annotate on db and returns its wall time and peak memory (MB).
func (b *bench) cli(db string, stdout *os.File, args ...string) (time.Duration, float64, error) {
	return measured(stdout, b.annotate, append([]string{"--db", db, "--annotator", "bench"}, args...)...)
}

// measured runs a program through the rss wrapper and returns its wall
// time and peak memory (MB). Linux counts a child's peak from the memory
// of the process that started it (Go starts children sharing its memory
// until exec), so a fresh, small wrapper starts it, not this process,
// which holds the corpus.
func measured(stdout *os.File, name string, args ...string) (time.Duration, float64, error) {
	self, err := os.Executable()
	if err != nil {
		return 0, 0, err
	}
	cmd := exec.Command(self, append([]string{"rss", name}, args...)...)
	cmd.Stdout = stdout
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	err = cmd.Run()
	t := time.Since(start)
	text := stderr.String()
	i := strings.LastIndex(text, rssMark)
	if err != nil || i < 0 {
		return t, 0, fmt.Errorf("%s %s: %v: %s", filepath.Base(name), strings.Join(args, " "), err, lastLines(text, 5))
	}
	kb, _ := strconv.ParseFloat(strings.TrimSpace(text[i+len(rssMark):]), 64)
	return t, kb / 1024, nil
}

const rssMark = "benchtool-rss-kb "

// rssChild runs args[0] with args[1:] and prints its peak memory (KB) as
// the last line of standard error.
func rssChild(args []string) int {
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	var kb int64
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		kb = ru.Maxrss // Linux reports KB
	}
	fmt.Fprintf(os.Stderr, "%s%d\n", rssMark, kb)
	return 0
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}

// imports times annotate's import of the JSONL corpus, the bare bbolt
// put of the same lines and sqlite3's .import of the same rows.
func (b *bench) imports(jsonl string) error {
	t, rss, err := b.cli(filepath.Join(b.dir, "import.db"), nil, "import", jsonl)
	if err != nil {
		return err
	}
	bare, err := barePut(jsonl, filepath.Join(b.dir, "bare-put.db"))
	if err != nil {
		return err
	}
	note("import: annotate %.2f s (%.0f MB peak), bare bbolt batched put %.2f s", t.Seconds(), rss, bare.Seconds())
	b.report("import_vs_bbolt", bare.Seconds()/t.Seconds(), "ratio", 0.8, false)
	lite, err := sqliteImport(jsonl, b.dir)
	if err != nil {
		note("sqlite3: %v", err)
		b.report("import_vs_sqlite", 0, "ratio", 0.5, false)
		return nil
	}
	note("import: sqlite3 .import %.2f s", lite.Seconds())
	b.report("import_vs_sqlite", lite.Seconds()/t.Seconds(), "ratio", 0.5, false)
	return nil
}

// sqliteImport writes the corpus's rows (id, title, text) as CSV (not
// timed), then times sqlite3 .import into a table keyed by the id.
func sqliteImport(jsonl, dir string) (time.Duration, error) {
	path, err := exec.LookPath("sqlite3")
	if err != nil {
		return 0, errors.New("sqlite3 is not installed (apt-get install sqlite3)")
	}
	rows := filepath.Join(dir, "rows.csv")
	in, err := os.Open(jsonl)
	if err != nil {
		return 0, err
	}
	defer in.Close()
	out, err := os.Create(rows)
	if err != nil {
		return 0, err
	}
	w := csv.NewWriter(bufio.NewWriterSize(out, 1<<20))
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
	for sc.Scan() {
		var rec struct{ Text, Title string }
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			return 0, err
		}
		w.Write([]string{strconv.Itoa(len(rec.Text)) + ":" + rec.Title, rec.Title, rec.Text})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return 0, err
	}
	out.Close()
	db := filepath.Join(dir, "sqlite.db")
	os.Remove(db)
	cmd := exec.Command(path, db)
	cmd.Stdin = strings.NewReader("CREATE TABLE articles(id TEXT PRIMARY KEY, title TEXT, text TEXT);\n.import --csv " + rows + " articles\n")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return 0, fmt.Errorf("sqlite3: %v: %s", err, stderr.String())
	}
	return time.Since(start), nil
}

// startup opens the store and reads the queue's first page in a child
// process: its time to the page, and its peak memory.
func (b *bench) startup(db string) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(b.dir, "page-*.txt")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	_, rss, err := measured(f, self, "page", db)
	if err != nil {
		return err
	}
	out, err := os.ReadFile(f.Name())
	if err != nil {
		return err
	}
	ns, err := strconv.ParseInt(strings.Fields(string(out))[0], 10, 64)
	if err != nil {
		return err
	}
	note("startup: %s", strings.TrimSpace(string(out)))
	b.report("startup_first_page", float64(ns)/1e6, "ms", 150, true)
	b.report("startup_peak_memory", rss, "MB", 60, true)
	return nil
}

// pageChild is the child of startup: open the database and read the
// queue's first page (what the screen needs for its first frame).
func pageChild(args []string) error {
	start := time.Now()
	db, err := abolt.Open(args[0], abolt.Options{})
	if err != nil {
		return err
	}
	p, err := db.Page(store.Query{Annotator: "bench", Limit: 50})
	if err != nil {
		return err
	}
	t := time.Since(start)
	db.Close()
	fmt.Printf("%d ns: %d of %d articles, counts %v\n", t.Nanoseconds(), len(p.Items), p.Total, p.Counts)
	return nil
}

// export times annotate's spaCy export of every annotated article and a
// bare cursor scan writing the same bytes.
func (b *bench) export(db string) error {
	out := filepath.Join(b.dir, "export.spacy.jsonl")
	t, rss, err := b.cli(db, nil, "export", "--format", "spacy", "-o", out)
	if err != nil {
		return err
	}
	bare, written, err := bareScan(out, filepath.Join(b.dir, "bare-scan.db"), filepath.Join(b.dir, "bare-scan.jsonl"))
	if err != nil {
		return err
	}
	note("export: annotate %.2f s (%.0f MB peak), bare cursor scan writing the same %.0f MB %.2f s", t.Seconds(), rss, float64(written)/1e6, bare.Seconds())
	b.report("export_vs_scan", bare.Seconds()/t.Seconds(), "ratio", 0.5, false)
	b.report("export_peak_memory", rss, "MB", 60, true)
	return nil
}

// commits times tagging one span on a short article and on the long one
// (200,000 characters, 2,000 spans) beside bare fsync'd Updates of a
// record of the change's size, and the history's growth per edit.
func (b *bench) commits(edits int) error {
	const change = 256 // bytes: one span with its history entry
	bare, err := bareUpdate(filepath.Join(b.dir, "bare-update.db"), change, 500)
	if err != nil {
		return err
	}
	small, err := commitBench(b.dir, 1, 2000, 0, min(edits, 1000))
	if err != nil {
		return err
	}
	long, err := commitBench(b.dir, 2, 200_000, 2000, edits)
	if err != nil {
		return err
	}
	note("tag commit: small (%d spans) %.3f ms, long (%d spans) %.3f ms, bare fsync'd Update of %d bytes %.3f ms", small.spans, ms(small.median), long.spans, ms(long.median), change, ms(bare))
	b.report("tag_commit_small", ms(small.median)/ms(bare), "x_bare", 1.5, true)
	b.report("tag_commit_2000_spans", ms(long.median)/ms(bare), "x_bare", 1.5, true)
	note("history: %d edits on the long article, %.0f bytes per edit; commit %.3f ms over the first tenth, %.3f ms over the last", edits, long.bytesPerEdit, ms(long.first), ms(long.last))
	b.report("history_per_edit", long.bytesPerEdit, "bytes", 1024, true)
	b.report("edit_time_growth", ms(long.last)/ms(long.first), "ratio", 1.2, true)
	return nil
}

func ms(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e6 }

var benchLine = regexp.MustCompile(`^(Benchmark\S+?)(?:-\d+)?\s+\d+\s+([\d.]+) ns/op(?:.*?\s([\d.]+) allocs/op)?`)

// goBenchmarks runs the screen's frame and key benchmarks (go test
// -bench, five runs each) and reports their medians.
func (b *bench) goBenchmarks() error {
	cmd := exec.Command("go", "test", "-run", "^$", "-bench", "^(BenchmarkFrame160x50|BenchmarkCursorKey)$", "-benchmem", "-count", "5", "./internal/tui")
	cmd.Dir = b.repo
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%v: %s%s", err, lastLines(out.String(), 5), lastLines(stderr.String(), 5))
	}
	ns := map[string][]float64{}
	allocs := map[string][]float64{}
	for _, line := range strings.Split(out.String(), "\n") {
		m := benchLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		v, _ := strconv.ParseFloat(m[2], 64)
		ns[m[1]] = append(ns[m[1]], v)
		if m[3] != "" {
			a, _ := strconv.ParseFloat(m[3], 64)
			allocs[m[1]] = append(allocs[m[1]], a)
		}
	}
	for _, c := range []struct{ bench, name string }{{"BenchmarkFrame160x50/long", "frame_160x50_long"}, {"BenchmarkFrame160x50/short", "frame_160x50_short"}} {
		if len(ns[c.bench]) == 0 {
			return fmt.Errorf("%s did not run", c.bench)
		}
		b.report(c.name, fmed(ns[c.bench])/1e6, "ms", 1, true)
		// An order of magnitude fewer than the 3,879.
		b.report(c.name+"_allocs", fmed(allocs[c.bench]), "allocs", 388, true)
	}
	if v := ns["BenchmarkCursorKey"]; len(v) > 0 {
		b.report("cursor_key", fmed(v)/1e3, "us", 1, true)
	} else {
		note("BenchmarkCursorKey is missing from internal/tui")
		b.report("cursor_key", 1e9, "us", 1, true)
	}
	return nil
}

func fmed(v []float64) float64 {
	sort.Float64s(v)
	return v[len(v)/2]
}
