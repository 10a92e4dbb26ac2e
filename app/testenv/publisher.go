package testenv

import (
	"context"
	"sync"
)

// Published is a live.Publisher that remembers the topics published
// through it, for tests of what a service announces after commit.
type Published struct {
	mu     sync.Mutex
	topics []string
}

// Changed records topic.
func (p *Published) Changed(_ context.Context, topic string, _ int64) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.topics = append(p.topics, topic)
	return nil
}

// Take returns the topics published since the last Take, in order.
func (p *Published) Take() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := p.topics
	p.topics = nil
	return out
}
