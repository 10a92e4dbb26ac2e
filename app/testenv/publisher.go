package testenv

import (
	"context"
	"sync"

	"github.com/dreamerscave/tdc/app/live"
)

// Published is a live.Publisher that remembers the changes published
// through it, for tests of what a service announces after commit.
type Published struct {
	mu      sync.Mutex
	changes []live.Change
}

// Changed records the change.
func (p *Published) Changed(_ context.Context, topic string, id int64) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.changes = append(p.changes, live.Change{Topic: topic, ID: id})
	return nil
}

// Take returns the topics published since the last Take, in order.
func (p *Published) Take() []string {
	var out []string
	for _, c := range p.TakeChanges() {
		out = append(out, c.Topic)
	}
	return out
}

// TakeChanges returns the changes published since the last Take, in order,
// with their ids.
func (p *Published) TakeChanges() []live.Change {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := p.changes
	p.changes = nil
	return out
}
