package live

import (
	"compress/flate"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"
	"unique"

	"github.com/gorilla/websocket"
	"github.com/prometheus/client_golang/prometheus"
)

// Options tunes a Hub; a zero field takes its default.
type Options struct {
	MaxConns  int // sockets held at once (TDC_WS_MAX_CONNS), default 19,500
	MaxPerIP  int // sockets per client address (TDC_WS_MAX_PER_IP), default 20
	MaxTopics int // topics one socket may follow; more are ignored. Default 32
	// Queue is how many frames may wait for one client; a client that
	// falls further behind is dropped (it reconnects and resyncs).
	// Default 64, above MaxTopics so that resending everything fits.
	Queue int
	// Coalesce spaces fan-outs: a change after a quiet spell is sent at
	// once, and the changes that follow within Coalesce are gathered and
	// sent together when it has passed, so a burst (an editor saving a
	// lineup) renders a topic at most twice. Default 5 ms.
	Coalesce      time.Duration
	RenderTimeout time.Duration // bounds one render, default 5 s
	WriteWait     time.Duration // bounds one write to a client, default 10 s
	PingPeriod    time.Duration // default 30 s; a client silent for twice that is gone
	ReadLimit     int64         // largest client frame, default 512 bytes
	// FrameTTL is how long a rendered fragment is handed to connecting
	// clients before it is rendered again, for what changes with the clock
	// rather than with a write. Changes always render anew. Default 5 s.
	FrameTTL time.Duration
	// OriginHost is the host[:port] of TDC_BASE_URL: a browser's socket
	// from another origin (than this or the request's Host) is refused.
	// Empty allows every origin.
	OriginHost string
	// Compression is the permessage-deflate level (1 fastest … 9 smallest)
	// for clients that offer the extension, as browsers do. A prepared
	// frame is compressed once per level, not once per client, so its cost
	// is per render. Default 6 (flate's default): the 24 KB programme frame
	// becomes 2.9 KB, against 3.6 KB at level 1, for about a millisecond
	// per render at any level (README, Fan-out). NoCompression turns the
	// extension off.
	Compression   int
	NoCompression bool
}

func (o Options) withDefaults() Options {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&o.MaxConns, 19500)
	def(&o.MaxPerIP, 20)
	def(&o.MaxTopics, 32)
	def(&o.Queue, 64)
	dur := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	dur(&o.Coalesce, 5*time.Millisecond)
	dur(&o.RenderTimeout, 5*time.Second)
	dur(&o.WriteWait, 10*time.Second)
	dur(&o.PingPeriod, 30*time.Second)
	dur(&o.FrameTTL, 5*time.Second)
	if o.ReadLimit <= 0 {
		o.ReadLimit = 512
	}
	if o.Compression == 0 {
		o.Compression = 6
	}
	return o
}

// pingSlots spreads pings over the ping period: each tick pings one slot's
// connections (200 of 20,000), so that pings never come in a wave that
// would hold up a change's.
const pingSlots = 100

// Hub holds the websocket clients of this instance and sends each the
// fragments of the topics it follows. On a change it renders each fragment
// once per Viewer in use and writes one prepared frame to all who share it.
type Hub struct {
	r   Renderer
	log *slog.Logger
	opt Options
	m   *hubMetrics
	up  websocket.Upgrader

	zip   *deflater // nil without compression
	sends sync.Pool // *[]delivery, see fanOut

	mu     sync.Mutex
	topics map[string]*topicState
	// conns holds the sockets by ping slot, so a tick visits its slot's
	// only; held counts them all.
	conns    [pingSlots]map[*conn]struct{}
	held     int
	perIP    map[string]int
	admitted int    // sockets held or being opened, against MaxConns
	gen      uint64 // the last generation handed out, see topicState.gen
	seq      uint64 // connections so far, to spread pings
	closing  bool
	pending  map[string]time.Time // changed topics and when the first change came
	wake     chan struct{}
}

// topicState is one topic in use: who follows it, its generation, and the
// frames rendered for it. The generation is bumped when the topic changes;
// a frame of an older generation is stale and is never sent after a newer one.
type topicState struct {
	// name is the topic, one string shared by its followers' topic lists,
	// so that the fan-out finds it in each list by its pointer.
	name   string
	subs   map[*conn]struct{}
	gen    uint64
	frames map[Viewer]*frame
}

// frame is a topic rendered for one Viewer at one generation. Whoever needs
// it first renders it; the others wait on done and share it.
type frame struct {
	gen  uint64
	at   time.Time // when its render began
	done chan struct{}

	plain []byte // the fragment as a text frame; nil: nothing to show this viewer
	body  []byte // plain's payload, the fragment itself

	zipOnce sync.Once
	zipped  []byte // body deflated, as a compressed text frame
}

// bytes returns f's frame for a client that did (deflate) or did not agree
// on compression. A frame is compressed once, when a client first wants
// it so, and only when that makes it smaller.
func (f *frame) bytes(deflate bool, z *deflater, log *slog.Logger) []byte {
	if !deflate || z == nil {
		return f.plain
	}
	f.zipOnce.Do(func() {
		b, err := z.deflate(f.body)
		if err != nil {
			log.Warn("live: compress frame", slog.Any("error", err))
			return
		}
		if len(b) < len(f.body) {
			f.zipped = textFrame(b, true)
		}
	})
	if f.zipped == nil {
		return f.plain
	}
	return f.zipped
}

// NewHub returns a hub rendering through r, with its series registered in
// reg. Run sends what Changed hears; Close ends it.
func NewHub(r Renderer, opt Options, reg prometheus.Registerer, log *slog.Logger) (*Hub, error) {
	opt = opt.withDefaults()
	if !opt.NoCompression && (opt.Compression < flate.BestSpeed || opt.Compression > flate.BestCompression) {
		return nil, fmt.Errorf("live: compression level %d: want 1 to 9", opt.Compression)
	}
	h := &Hub{
		r: r, log: log, opt: opt,
		topics:  map[string]*topicState{},
		perIP:   map[string]int{},
		pending: map[string]time.Time{},
		wake:    make(chan struct{}, 1),
	}
	if !opt.NoCompression {
		h.zip = &deflater{level: opt.Compression}
	}
	h.up = websocket.Upgrader{
		HandshakeTimeout: 10 * time.Second,
		// Small buffers: clients send nothing but control frames, the hub
		// writes its frames itself, and control frames are written
		// without the write buffer, so the pool is touched only by other writes.
		ReadBufferSize:    256,
		WriteBufferPool:   &sync.Pool{},
		EnableCompression: !opt.NoCompression,
		CheckOrigin:       func(r *http.Request) bool { return h.originAllowed(r.Header.Get("Origin"), r.Host) },
	}
	m, err := newHubMetrics(reg, h)
	if err != nil {
		return nil, fmt.Errorf("live: hub metrics: %w", err)
	}
	h.m = m
	return h, nil
}

// Run renders and sends the changes given to Changed, and pings the
// clients, until ctx ends. Feed it with `go bus.Listen(ctx, hub.Changed)`.
func (h *Hub) Run(ctx context.Context) {
	ping := time.NewTicker(h.opt.PingPeriod / pingSlots)
	defer ping.Stop()
	var slot uint64
	var quiet time.Time // no fan-out starts before this
	for {
		select {
		case <-ctx.Done():
			return
		case <-h.wake:
			// A change after a quiet spell goes out at once; one within
			// Coalesce of the last fan-out waits for the window's end with
			// the rest of its burst, so a burst renders each topic at most
			// twice, however long it is.
			if wait := time.Until(quiet); wait > 0 {
				select {
				case <-time.After(wait):
				case <-ctx.Done():
					return
				}
			}
			quiet = time.Now().Add(h.opt.Coalesce)
			h.mu.Lock()
			batch := h.pending
			h.pending = map[string]time.Time{}
			h.mu.Unlock()
			go h.fanOutAll(ctx, batch)
		case <-ping.C:
			slot = (slot + 1) % pingSlots
			h.pingSlot(slot)
		}
	}
}

// Changed takes one change heard on the bus: the topic's frames are stale
// from now on, and its followers get new ones after the coalescing window.
// TopicAll (a resubscription after Redis came back) refreshes every topic.
// A change to an entity is one to its admin topic too (AdminTwin).
// Topics nobody here follows cost nothing.
func (h *Hub) Changed(c Change) {
	now := time.Now()
	h.mu.Lock()
	mark := func(t string, ts *topicState) {
		h.gen++
		ts.gen = h.gen
		if _, ok := h.pending[t]; !ok {
			h.pending[t] = now
		}
	}
	if c.Topic == TopicAll {
		for t, ts := range h.topics {
			mark(t, ts)
		}
	} else {
		if ts := h.topics[c.Topic]; ts != nil {
			mark(c.Topic, ts)
		}
		// Back-office pages follow their entity's admin topic.
		if a, ok := AdminTwin(c); ok {
			if ts := h.topics[a.Topic]; ts != nil {
				mark(a.Topic, ts)
			}
		}
	}
	n := len(h.pending)
	h.mu.Unlock()
	if n > 0 {
		select {
		case h.wake <- struct{}{}:
		default:
		}
	}
}

// fanOutConcurrency bounds the topics rendered at once after TopicAll, so a
// resync does not hit the database with every query at the same moment.
const fanOutConcurrency = 4

func (h *Hub) fanOutAll(ctx context.Context, batch map[string]time.Time) {
	sem := make(chan struct{}, fanOutConcurrency)
	var wg sync.WaitGroup
	for t, at := range batch {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			h.fanOut(ctx, t, at)
		}()
	}
	wg.Wait()
}

// fanOut renders topic once per Viewer among its followers and queues the
// frame to each of them.
func (h *Hub) fanOut(ctx context.Context, topic string, since time.Time) {
	h.mu.Lock()
	ts := h.topics[topic]
	if ts == nil {
		h.mu.Unlock()
		return
	}
	// The list of sends is reused: one per client and change, it was most
	// of what a fan-out left to the garbage collector, whose every pass
	// scans the stacks of all the sockets' readers.
	buf, _ := h.sends.Get().(*[]delivery)
	if buf == nil {
		buf = new([]delivery)
	}
	sends := slices.Grow((*buf)[:0], len(ts.subs))
	// The viewers in use, numbered; most followers share the one before
	// them, so most need no hashing of their viewer.
	var vs []unique.Handle[Viewer]
	index := map[unique.Handle[Viewer]]int{}
	k := -1
	for c := range ts.subs {
		if k < 0 || vs[k] != c.viewer {
			var ok bool
			if k, ok = index[c.viewer]; !ok {
				k = len(vs)
				vs = append(vs, c.viewer)
				index[c.viewer] = k
			}
		}
		sends = append(sends, delivery{c: c, viewer: k})
	}
	topic = ts.name
	h.mu.Unlock()
	frames := make([]*frame, len(vs))
	for k, v := range vs {
		frames[k] = h.frameFor(ctx, topic, v.Value())
	}
	for i := range sends {
		sends[i].f = frames[sends[i].viewer]
	}
	h.deliver(topic, sends)
	clear(sends) // keep no client alive
	*buf = sends[:0]
	h.sends.Put(buf)
	h.m.fanOut(time.Since(since))
}

// delivery is one frame for one client.
type delivery struct {
	c      *conn
	f      *frame
	viewer int // the index of c's viewer while f is found
}

// deliverBatch is how many sends a deliver worker takes at a time.
const deliverBatch = 64

// deliver hands each frame to its client, on every CPU at once: most go
// straight into the socket (conn.send), so a fan-out to 10,000 clients is
// 10,000 writes, which one goroutine would make one after the other. The
// workers take small batches in turn, so that one the scheduler holds
// back does not leave the last clients waiting for it.
func (h *Hub) deliver(topic string, sends []delivery) {
	workers := min(runtime.GOMAXPROCS(0), (len(sends)+deliverBatch-1)/deliverBatch)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var sent int
			for {
				i := int(next.Add(deliverBatch)) - deliverBatch
				if i >= len(sends) {
					break
				}
				for _, d := range sends[i:min(i+deliverBatch, len(sends))] {
					if d.f != nil && d.f.plain != nil && d.c.send(topic, d.f) {
						sent++
					}
				}
			}
			h.m.sent.Add(float64(sent))
		}()
	}
	wg.Wait()
}

// frameFor returns topic rendered for v at the topic's current generation,
// rendering it if no one has yet. It returns nil when no one follows topic
// any more or ctx ended while waiting.
func (h *Hub) frameFor(ctx context.Context, topic string, v Viewer) *frame {
	h.mu.Lock()
	ts := h.topics[topic]
	if ts == nil {
		h.mu.Unlock()
		return nil
	}
	f := ts.frames[v]
	if f != nil && f.gen == ts.gen && time.Since(f.at) < h.opt.FrameTTL {
		h.mu.Unlock()
		select {
		case <-f.done:
			return f
		case <-ctx.Done():
			return nil
		}
	}
	f = &frame{gen: ts.gen, at: time.Now(), done: make(chan struct{})}
	ts.frames[v] = f
	h.mu.Unlock()

	defer close(f.done)
	rctx, cancel := context.WithTimeout(ctx, h.opt.RenderTimeout)
	defer cancel()
	start := time.Now()
	html, err := h.r.RenderTopic(rctx, topic, v)
	h.m.render(time.Since(start))
	switch {
	case errors.Is(err, ErrUnknownTopic):
		// Remembered: nobody asks for it again until it changes.
	case err != nil:
		h.log.Warn("live: render failed", slog.String("topic", topic), slog.String("lang", v.Lang),
			slog.String("zone", v.Zone), slog.Any("error", err))
		h.forget(topic, v, f) // the next client or change tries again
	case len(html) > 0:
		f.plain = textFrame(html, false)
		f.body = f.plain[len(f.plain)-len(html):]
	}
	return f
}

func (h *Hub) forget(topic string, v Viewer, f *frame) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if ts := h.topics[topic]; ts != nil && ts.frames[v] == f {
		delete(ts.frames, v)
	}
}

// pingSlot asks the connections of one slot to ping their clients.
func (h *Hub) pingSlot(slot uint64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for c := range h.conns[slot] {
		c.ping()
	}
}

// errors of admission, answered before the upgrade with a status.
var (
	errClosing = errors.New("live: shutting down")
	errFull    = errors.New("live: too many connections")
	errIPFull  = errors.New("live: too many connections from this address")
)

// admit reserves a place for a socket from ip.
func (h *Hub) admit(ip string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case h.closing:
		return errClosing
	case h.admitted >= h.opt.MaxConns:
		return errFull
	case h.perIP[ip] >= h.opt.MaxPerIP:
		return errIPFull
	}
	h.admitted++
	h.perIP[ip]++
	return nil
}

// release gives back the place admit reserved.
func (h *Hub) release(ip string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.releaseLocked(ip)
}

func (h *Hub) releaseLocked(ip string) {
	h.admitted--
	if h.perIP[ip]--; h.perIP[ip] <= 0 {
		delete(h.perIP, ip)
	}
}

// add registers c with its topics. It fails once the hub is closing.
func (h *Hub) add(c *conn) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closing {
		return false
	}
	h.seq++
	c.id = h.seq
	slot := &h.conns[c.id%pingSlots]
	if *slot == nil {
		*slot = map[*conn]struct{}{}
	}
	(*slot)[c] = struct{}{}
	h.held++
	for i, t := range c.topics {
		ts := h.topics[t.topic]
		if ts == nil {
			h.gen++
			ts = &topicState{name: t.topic, subs: map[*conn]struct{}{}, gen: h.gen, frames: map[Viewer]*frame{}}
			h.topics[t.topic] = ts
		}
		ts.subs[c] = struct{}{}
		c.topics[i].topic = ts.name // c is in no fan-out until add returns
	}
	return true
}

// remove unregisters c and frees its place; topics nobody follows any more
// are forgotten with their frames.
func (h *Hub) remove(c *conn) {
	h.mu.Lock()
	defer h.mu.Unlock()
	slot := h.conns[c.id%pingSlots]
	if _, ok := slot[c]; !ok {
		return
	}
	delete(slot, c)
	h.held--
	for _, t := range c.topics {
		if ts := h.topics[t.topic]; ts != nil {
			delete(ts.subs, c)
			if len(ts.subs) == 0 {
				delete(h.topics, t.topic)
			}
		}
	}
	h.releaseLocked(c.ip)
}

// Close refuses new sockets and closes every open one with 1012 (Service
// Restart), which htmx's hx-ws answers by reconnecting, so pages follow the
// site across a deploy. Call it before shutting down the HTTP server.
func (h *Hub) Close(ctx context.Context) error {
	h.mu.Lock()
	h.closing = true
	cs := make([]*conn, 0, h.held)
	for _, slot := range h.conns {
		for c := range slot {
			cs = append(cs, c)
		}
	}
	h.mu.Unlock()
	done := make(chan struct{})
	go func() {
		var wg sync.WaitGroup
		for _, c := range cs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c.kick(websocket.CloseServiceRestart, "server restart", "")
			}()
		}
		wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Size reports the sockets held and the topics they follow.
func (h *Hub) Size() (conns, topics int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.held, len(h.topics)
}
