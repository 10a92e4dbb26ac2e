package live

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
	"unique"

	"github.com/gorilla/websocket"
)

// conn is one client's socket. The goroutine that upgraded it reads it (for
// pongs and close frames). The fan-out writes a frame straight into the
// socket when nothing waits; a writer goroutine runs only while frames
// wait, so an idle socket costs one goroutine of ours and no buffers.
type conn struct {
	hub  *Hub
	ws   *websocket.Conn
	sock *socket // under ws; the hub's frames are written to it
	// viewer is shared by every conn of the same Viewer, so the fan-out
	// groups followers by comparing pointers.
	viewer unique.Handle[Viewer]
	ip     string
	id     uint64 // set by Hub.add; picks the ping slot
	// topics are valid, distinct, at most MaxTopics; each with the
	// generation last sent, side by side so that a send reads one place.
	topics []follow

	mu      sync.Mutex
	queue   [][]byte // encoded frames
	pingDue bool
	writing bool // a flush goroutine is running
	closed  bool

	// The write deadline set last, read and written by the flush goroutine
	// only (one at a time, under writing).
	deadline time.Time
}

// follow is a topic that a conn follows.
type follow struct {
	topic string // fixed once Hub.add has returned
	gen   uint64 // the generation of the frame last sent or queued, under mu
}

// ServeWS upgrades r to a websocket following the topics r's query names
// (`?topic=events&topic=location:main-cave:now-playing`), rendered for v,
// for the client at ip. It returns once the socket is open, its reader
// running on a goroutine of its own. See Accept for the refusals.
func (h *Hub) ServeWS(w http.ResponseWriter, r *http.Request, ip string, v Viewer) {
	if run := h.Accept(w, r, ip, v); run != nil {
		go run()
	}
}

// Accept answers r's handshake: a request that is no websocket handshake
// gets 400, a foreign Origin 403, a client over its address's share 429,
// and a full or closing hub 503. Once the socket is open it returns run,
// which registers the client, sends it its fragments and reads the socket
// until it closes; the caller must run it, on a goroutine of its choice (a
// fasthttp server, after its own handler has let go of the connection), as
// the socket holds its place in the hub until run ends. Accept returns nil when it has answered with a refusal.
// Accept keeps nothing of r, whose memory a fasthttp server reuses.
func (h *Hub) Accept(w http.ResponseWriter, r *http.Request, ip string, v Viewer) (run func()) {
	if !websocket.IsWebSocketUpgrade(r) {
		h.refuse(w, http.StatusBadRequest, "this address takes websocket connections only")
		return nil
	}
	if !h.originAllowed(r.Header.Get("Origin"), r.Host) {
		h.refuse(w, http.StatusForbidden, "origin not allowed")
		return nil
	}
	topics := h.topicsOf(r.URL.Query()["topic"])
	if len(topics) == 0 {
		h.refuse(w, http.StatusBadRequest, "no valid topic")
		return nil
	}
	if err := h.admit(ip); err != nil {
		status := http.StatusServiceUnavailable
		if errors.Is(err, errIPFull) {
			status = http.StatusTooManyRequests
		}
		w.Header().Set("Retry-After", "5")
		h.refuse(w, status, err.Error())
		return nil
	}
	ws, err := h.up.Upgrade(deadlineWriter{w}, r, nil)
	if err != nil {
		h.release(ip) // Upgrade has answered the client
		return nil
	}
	sock, ok := ws.NetConn().(*socket)
	if !ok { // deadlineWriter hands gorilla a socket; nothing else does
		h.log.Error("live: upgraded connection is no socket", slog.String("type", fmt.Sprintf("%T", ws.NetConn())))
		_ = ws.Close()
		h.release(ip)
		return nil
	}
	c := &conn{hub: h, ws: ws, sock: sock, viewer: unique.Make(v), ip: ip, topics: make([]follow, len(topics))}
	for i, t := range topics {
		c.topics[i].topic = t
	}
	return func() {
		if !h.add(c) {
			h.release(ip)
			c.kick(websocket.CloseServiceRestart, "server restart", "")
			return
		}
		defer h.remove(c)
		c.resync()
		c.read()
	}
}

func (h *Hub) refuse(w http.ResponseWriter, status int, msg string) {
	h.m.refuse(status)
	http.Error(w, msg, status)
}

// originAllowed accepts a socket opened by a page of this site: its Origin
// names TDC_BASE_URL's host, or the host the request was sent to (a test
// server, or an instance reached by its own address). A client that is no
// browser sends no Origin and is let in: browsers always send one, and the
// check is what keeps other sites' pages from opening sockets here.
func (h *Hub) originAllowed(origin, host string) bool {
	if origin == "" || h.opt.OriginHost == "" {
		return true
	}
	u, err := url.Parse(origin)
	return err == nil && u.Host != "" && (strings.EqualFold(u.Host, h.opt.OriginHost) || strings.EqualFold(u.Host, host))
}

// topicsOf keeps the valid, distinct topics of names, at most MaxTopics.
func (h *Hub) topicsOf(names []string) []string {
	var out []string
	for _, t := range names {
		if len(out) == h.opt.MaxTopics {
			break
		}
		if ValidTopic(t) && !slices.Contains(out, t) {
			// A copy: the query may be a view of a fasthttp buffer.
			out = append(out, strings.Clone(t))
		}
	}
	return out
}

// resync sends the client the current fragments of its topics, so a page
// that reconnects after a network drop, a Redis outage or a deploy shows
// the truth again. Fragments already rendered for its viewer are reused.
func (c *conn) resync() {
	ctx := context.Background()
	for _, t := range c.topics {
		if f := c.hub.frameFor(ctx, t.topic, c.viewer.Value()); f != nil && f.plain != nil && c.send(t.topic, f) {
			c.hub.m.sent.Inc()
		}
	}
}

// read reads until the socket fails or closes: clients are expected to
// send nothing but pongs, so any data frame that is binary or over the
// read limit ends the connection; small text frames are ignored.
func (c *conn) read() {
	ws := c.ws
	pongWait := 2 * c.hub.opt.PingPeriod
	ws.SetReadLimit(c.hub.opt.ReadLimit)
	_ = ws.SetReadDeadline(time.Now().Add(pongWait))
	ws.SetPongHandler(func(string) error { return ws.SetReadDeadline(time.Now().Add(pongWait)) })
	for {
		kind, r, err := ws.NextReader()
		if err == nil && kind == websocket.BinaryMessage {
			c.kick(websocket.CloseUnsupportedData, "binary frames are not accepted", dropInput)
			return
		}
		if err == nil {
			// gorilla limits the bytes on the wire; a compressed message
			// is held to the limit once inflated too.
			var n int64
			n, err = io.Copy(io.Discard, io.LimitReader(r, c.hub.opt.ReadLimit+1))
			if err == nil && n > c.hub.opt.ReadLimit {
				c.kick(websocket.CloseMessageTooBig, "message too big", dropInput)
				return
			}
		}
		if errors.Is(err, websocket.ErrReadLimit) {
			// gorilla has sent 1009 (Message Too Big) already.
			c.kick(0, "", dropInput)
			return
		}
		if err != nil {
			c.kick(0, "", "")
			return
		}
	}
}

// send sends f, topic's frame, unless a frame of the same or a newer
// generation of topic was sent already. When nothing waits for the
// socket, it writes the frame at once without waiting and reports true
// (the writer finishes a frame the socket took only part of); else it
// queues the frame for the writer goroutine. A client that has Queue
// frames waiting is dropped with 1013 (Try Again Later): hx-ws
// reconnects, and the reconnect resyncs it.
func (c *conn) send(topic string, f *frame) (sent bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	i := slices.IndexFunc(c.topics, func(t follow) bool { return t.topic == topic })
	if c.closed || i < 0 || f.gen <= c.topics[i].gen {
		return false
	}
	b := f.bytes(c.sock.deflate, c.hub.zip, c.hub.log)
	if c.writeNowLocked(b) {
		c.topics[i].gen = f.gen
		return true
	}
	if c.closed {
		return false
	}
	if len(c.queue) >= c.hub.opt.Queue {
		c.closed, c.queue = true, nil
		c.hub.m.drop(dropSlow)
		// Closing may wait for a stuck write; the fan-out must not.
		go c.shut(websocket.CloseTryAgainLater, "too slow")
		return false
	}
	c.topics[i].gen = f.gen
	c.queue = append(c.queue, b)
	c.startLocked()
	return false
}

// pingFrame is a ping without payload.
var pingFrame = []byte{0x80 | 0x9, 0}

// ping pings the client: at once when nothing waits for the socket (as
// send writes a frame), else through the writer.
func (c *conn) ping() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed || c.pingDue {
		return
	}
	if c.writeNowLocked(pingFrame) || c.closed {
		return
	}
	c.pingDue = true
	c.startLocked()
}

// writeNowLocked writes b straight into the socket when nothing waits for
// it, and reports whether it did (or began to: the writer is started to
// finish it). A write that fails drops the client.
func (c *conn) writeNowLocked(b []byte) bool {
	if c.writing || len(c.queue) > 0 || c.pingDue {
		return false
	}
	ok, left, err := c.sock.tryWrite(b)
	if err != nil {
		c.closed, c.queue = true, nil
		c.hub.m.drop(dropWrite)
		go c.shut(0, "")
		return false
	}
	if left {
		c.startLocked()
	}
	return ok
}

func (c *conn) startLocked() {
	if !c.writing {
		c.writing = true
		go c.flush()
	}
}

// flush writes what waits, then ends: the writer lives only while there is
// something to write. It first finishes the frame that started it, if the
// fan-out's write left its end (see send).
func (c *conn) flush() {
	if err := c.sock.finish(c.writeDeadline(time.Now())); err != nil {
		c.kick(0, "", dropWrite)
		return
	}
	for {
		c.mu.Lock()
		if c.closed {
			c.writing = false
			c.mu.Unlock()
			return
		}
		var b []byte
		ping := c.pingDue
		switch {
		case ping:
			c.pingDue = false
		case len(c.queue) > 0:
			b = c.queue[0]
			c.queue[0] = nil
			c.queue = c.queue[1:]
			if len(c.queue) == 0 {
				c.queue = nil // an idle socket holds no queue
			}
		default:
			c.writing = false
			c.mu.Unlock()
			return
		}
		c.mu.Unlock()

		now := time.Now()
		var err error
		if ping {
			err = c.ws.WriteControl(websocket.PingMessage, nil, now.Add(c.hub.opt.WriteWait))
		} else if err = c.sock.write(b, c.writeDeadline(now)); err == nil {
			c.hub.m.sent.Inc()
		}
		if err != nil {
			c.kick(0, "", dropWrite)
			return
		}
	}
}

// writeDeadline bounds the writer's next write. It is refreshed only once
// half of WriteWait has gone: every write still has at least half of it,
// and most writes leave the socket's runtime timer alone (see socket).
func (c *conn) writeDeadline(now time.Time) time.Time {
	if c.deadline.Sub(now) < c.hub.opt.WriteWait/2 {
		c.deadline = now.Add(c.hub.opt.WriteWait)
	}
	return c.deadline
}

// kick closes the socket once: with a close frame of code unless code is
// 0, counting it as dropped for reason unless reason is empty.
func (c *conn) kick(code int, text, reason string) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.closed, c.queue = true, nil
	c.mu.Unlock()
	if reason != "" {
		c.hub.m.drop(reason)
	}
	c.shut(code, text)
}

// shut sends a close frame of code, unless code is 0, and closes the socket.
func (c *conn) shut(code int, text string) {
	if code != 0 {
		_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, text), time.Now().Add(time.Second))
	}
	_ = c.ws.Close()
}
