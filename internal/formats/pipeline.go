package formats

import (
	"errors"
	"runtime"
	"sync"
)

// pipelineDepth bounds the records a pipeline holds at once, so that
// memory stays flat whatever the file's size.
const pipelineDepth = 256

var errPipelineStopped = errors.New("pipeline stopped")

// pipeline runs work on what produce emits on a worker per core and hands
// the results to consume in the order they were emitted, on the calling
// goroutine. Parsing a record (JSON, offsets, checks) is most of reading
// a file, and records are independent until they are consumed: this
// spreads the parsing over the cores while the caller stores. An error
// from consume stops the producer and is returned; else produce's error.
func pipeline[J, R any](produce func(emit func(J) error) error, work func(J) R, consume func(R) error) error {
	type item struct {
		in    J
		out   R
		ready chan struct{}
	}
	jobs := make(chan *item, pipelineDepth)
	order := make(chan *item, pipelineDepth)
	stop := make(chan struct{})
	var workers sync.WaitGroup
	for range max(1, runtime.GOMAXPROCS(0)) {
		workers.Add(1)
		go func() {
			defer workers.Done()
			for it := range jobs {
				it.out = work(it.in)
				var zero J
				it.in = zero
				close(it.ready)
			}
		}()
	}
	var produced error
	go func() {
		produced = produce(func(j J) error {
			it := &item{in: j, ready: make(chan struct{})}
			select {
			case order <- it:
			case <-stop:
				return errPipelineStopped
			}
			jobs <- it
			return nil
		})
		close(jobs)
		close(order)
	}()
	var consumed error
	for it := range order {
		<-it.ready
		if consumed != nil {
			continue
		}
		if err := consume(it.out); err != nil {
			consumed = err
			close(stop)
		}
	}
	workers.Wait()
	if consumed != nil {
		return consumed
	}
	return produced
}
