package formats

import (
	"errors"
	"runtime"
	"sync"
)

// A pipeline hands records to its workers in chunks of pipelineChunk (one
// hand-over per record costs more than parsing a short one) and holds at
// most pipelineDepth chunks, so memory stays flat whatever the file's
// size.
const (
	pipelineChunk = 64
	pipelineDepth = 8
)

var errPipelineStopped = errors.New("pipeline stopped")

// pipeline runs work on what produce emits on a worker per core and hands
// the results to consume in the order they were emitted, on the calling
// goroutine. Parsing a record (JSON, offsets, checks) is most of reading
// a file, and records are independent until they are consumed: this
// spreads the parsing over the cores while the caller stores. An error
// from consume stops the producer and is returned; else produce's error.
func pipeline[J, R any](produce func(emit func(J) error) error, work func(J) R, consume func(R) error) error {
	type chunk struct {
		in    []J
		out   []R
		ready chan struct{}
	}
	jobs := make(chan *chunk, pipelineDepth)
	order := make(chan *chunk, pipelineDepth)
	stop := make(chan struct{})
	var workers sync.WaitGroup
	for range max(1, runtime.GOMAXPROCS(0)) {
		workers.Add(1)
		go func() {
			defer workers.Done()
			for c := range jobs {
				c.out = make([]R, len(c.in))
				for i, j := range c.in {
					c.out[i] = work(j)
				}
				c.in = nil
				close(c.ready)
			}
		}()
	}
	send := func(c *chunk) error {
		select {
		case order <- c:
		case <-stop:
			return errPipelineStopped
		}
		jobs <- c
		return nil
	}
	var produced error
	go func() {
		cur := &chunk{ready: make(chan struct{})}
		produced = produce(func(j J) error {
			cur.in = append(cur.in, j)
			if len(cur.in) < pipelineChunk {
				return nil
			}
			c := cur
			cur = &chunk{ready: make(chan struct{})}
			return send(c)
		})
		if produced == nil && len(cur.in) > 0 {
			produced = send(cur)
		}
		close(jobs)
		close(order)
	}()
	var consumed error
	for c := range order {
		<-c.ready
		for _, r := range c.out {
			if consumed != nil {
				break
			}
			if err := consume(r); err != nil {
				consumed = err
				close(stop)
			}
		}
	}
	workers.Wait()
	if consumed != nil {
		return consumed
	}
	return produced
}
