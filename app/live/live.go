// Package live carries "this changed" messages between instances over Redis
// pub/sub. A service publishes a topic after its commit; every instance
// receives it and refreshes what shows that topic (its page cache now, and
// the websocket hub's fragments).
package live

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/redis/go-redis/v9"
)

// Topics name what a fragment shows.
const (
	// TopicAll says everything may have changed (e.g. after `tdc seed`).
	TopicAll = "*"
	// TopicEvents is the programme as a whole; a change's id is the one
	// event that changed, or 0 when any may have (see events.Service.Changed).
	TopicEvents = "events"
)

// More topics: lists as a whole.
const (
	// TopicLocations is the list of venues.
	TopicLocations = "locations"
	// TopicArtists is the list of artists.
	TopicArtists = "artists"
	// TopicPosts is the blog's list of posts (and its categories).
	TopicPosts = "posts"
	// TopicSettings is the site's settings and feature flags.
	TopicSettings = "settings"
)

// EventTopic is the topic of one event.
func EventTopic(id int64) string { return fmt.Sprintf("event:%d", id) }

// LocationTopic is the topic of one part of a venue: "" for its page as a
// whole, or "schedule", "now-playing", "screen".
func LocationTopic(slug, part string) string {
	if part == "" {
		return "location:" + slug
	}
	return "location:" + slug + ":" + part
}

// ArtistTopic is the topic of one artist.
func ArtistTopic(slug string) string { return "artist:" + slug }

// PostTopic is the topic of one blog post.
func PostTopic(slug string) string { return "post:" + slug }

// Publisher is what services publish their changes through, after commit.
// *Bus is the real one; Discard is for code that must not publish.
type Publisher interface {
	Changed(ctx context.Context, topic string, id int64) error
}

// Discard is a Publisher that drops every change.
type Discard struct{}

// Changed does nothing.
func (Discard) Changed(context.Context, string, int64) error { return nil }

// WithLocal returns a Publisher that tells local of each change, in the
// caller's goroutine, before pub publishes it. A process's own caches need
// this to show its own writes at once: the bus brings a change back to its
// sender too, but later and from another goroutine.
func WithLocal(pub Publisher, local func(topic string, id int64)) Publisher {
	return withLocal{pub: pub, local: local}
}

type withLocal struct {
	pub   Publisher
	local func(topic string, id int64)
}

// Changed tells local, then publishes through pub.
func (w withLocal) Changed(ctx context.Context, topic string, id int64) error {
	w.local(topic, id)
	return w.pub.Changed(ctx, topic, id)
}

// Publish sends each of topics through pub, logging (not returning) a
// failure: the write has committed, and caches and sockets resync on their
// own when a message is lost.
func Publish(ctx context.Context, pub Publisher, log *slog.Logger, id int64, topics ...string) {
	for _, t := range topics {
		if err := pub.Changed(ctx, t, id); err != nil {
			log.Warn("live: publish failed", slog.String("topic", t), slog.Any("error", err))
		}
	}
}

// Change is one message: what changed.
type Change struct {
	Topic string `json:"topic"`
	ID    int64  `json:"id,omitempty"`
}

// Bus publishes and receives changes on one Redis channel.
type Bus struct {
	rdb     redis.UniversalClient
	channel string
	log     *slog.Logger

	mu    sync.Mutex
	local map[*localListener]struct{} // this process's Listen calls
}

// localListener is how Changed reaches this process's own listeners while
// Redis cannot.
type localListener struct {
	ch chan Change
	// lost is set when ch was full: the listener then hears TopicAll,
	// since it cannot know which change it missed.
	lost chan struct{}
}

// localQueue bounds the changes waiting for one listener while Redis is
// down; more than that in a row and the listener refreshes everything.
const localQueue = 256

// NewBus returns a bus on the channel "<prefix>changes".
func NewBus(rdb redis.UniversalClient, prefix string, log *slog.Logger) *Bus {
	return &Bus{rdb: rdb, channel: prefix + "changes", log: log, local: map[*localListener]struct{}{}}
}

// Changed publishes that topic changed. Callers log a failure and go on:
// the write succeeded, and caches expire and sockets resync on their own.
// When Redis refuses the message, this process's own listeners still get
// it, so an instance's pages and sockets show its own writes while Redis
// is down; the other instances resync when their subscription comes back.
func (b *Bus) Changed(ctx context.Context, topic string, id int64) error {
	c := Change{Topic: topic, ID: id}
	msg, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("live: encode change: %w", err)
	}
	if err := b.rdb.Publish(ctx, b.channel, msg).Err(); err != nil {
		b.deliverLocally(c)
		return fmt.Errorf("live: publish %s: %w", topic, err)
	}
	return nil
}

func (b *Bus) deliverLocally(c Change) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for l := range b.local {
		select {
		case l.ch <- c:
		default:
			select {
			case l.lost <- struct{}{}:
			default:
			}
		}
	}
}

func (b *Bus) addLocal() *localListener {
	l := &localListener{ch: make(chan Change, localQueue), lost: make(chan struct{}, 1)}
	b.mu.Lock()
	b.local[l] = struct{}{}
	b.mu.Unlock()
	return l
}

func (b *Bus) removeLocal(l *localListener) {
	b.mu.Lock()
	delete(b.local, l)
	b.mu.Unlock()
}

// Listen calls fn for each change until ctx ends, from one goroutine. Each
// time the subscription (re)starts, after the first connect or after
// go-redis has reconnected following an outage (it retries every 100 ms
// for as long as it takes), it calls fn with TopicAll first: changes
// published while it was away were missed. Changes this process published
// while Redis refused them arrive too (see Changed).
func (b *Bus) Listen(ctx context.Context, fn func(Change)) {
	local := b.addLocal()
	defer b.removeLocal(local)
	sub := b.rdb.Subscribe(ctx, b.channel)
	defer sub.Close()
	// go-redis reconnects and resubscribes on its own; the subscription
	// confirmations it then delivers are how we learn that it did.
	ch := sub.ChannelWithSubscriptions()
	for {
		select {
		case <-ctx.Done():
			return
		case c := <-local.ch:
			fn(c)
		case <-local.lost:
			fn(Change{Topic: TopicAll})
		case m, ok := <-ch:
			if !ok {
				return
			}
			switch m := m.(type) {
			case *redis.Subscription:
				if m.Kind == "subscribe" {
					fn(Change{Topic: TopicAll})
				}
			case *redis.Message:
				var c Change
				if err := json.Unmarshal([]byte(m.Payload), &c); err != nil || c.Topic == "" {
					b.log.Warn("live: bad change message", slog.String("payload", m.Payload))
					continue
				}
				fn(c)
			}
		}
	}
}

// Viewer is who a fragment is rendered for: the language and time zone of
// the page that shows it (the same cookies and query as the page). The hub
// renders each changed fragment once per Viewer its subscribers use.
type Viewer struct {
	Lang string // a supported language tag, e.g. "en"
	Zone string // an IANA zone name, e.g. "Europe/Berlin"
}

// Renderer renders the fragments that show topic, for v, as HTML elements
// carrying hx-swap-oob, ready to be sent as one websocket message. The web
// server implements it; the hub calls it once per (topic, Viewer) in use.
type Renderer interface {
	RenderTopic(ctx context.Context, topic string, v Viewer) ([]byte, error)
}

// ErrUnknownTopic is what RenderTopic returns for a topic no fragment shows
// (a subscriber asked for it, or it was mistyped): the hub ignores it.
var ErrUnknownTopic = errors.New("live: unknown topic")
