package web

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v3"
	"github.com/valyala/fasthttp"
)

// Requests that never reach Fiber's router (the HTTP parser refused them,
// or their method is unknown) are answered here. Fiber would answer them
// without our headers, and log them as "GET / 404" after running the
// middleware on an empty request.

// routeRejected is the route label of requests refused before routing.
const routeRejected = "rejected"

// guardServer takes over the answers fasthttp and Fiber give outside the
// middleware: parser errors and unknown methods.
func (s *Server) guardServer(app *fiber.App) {
	srv := app.Server()
	// fasthttp's error texts otherwise quote the request bytes they choked on.
	srv.SecureErrorLogMessage = true
	srv.ErrorHandler = s.parserRejected
	methods := app.Config().RequestMethods
	route := srv.Handler
	srv.Handler = func(fctx *fasthttp.RequestCtx) {
		if !slices.Contains(methods, string(fctx.Method())) {
			s.unknownMethod(fctx)
			return
		}
		route(fctx)
	}
}

// parserRejected answers a request the HTTP parser refused: headers over
// TDC_HEADER_LIMIT, a malformed request line, a body over the limit, a read
// time-out. The connection is closed after it (fasthttp does that).
func (s *Server) parserRejected(fctx *fasthttp.RequestCtx, err error) {
	start := time.Now()
	status := rejectionStatus(err)
	// What the parser understood before it gave up; an unread request line
	// leaves the method empty, and fasthttp would report GET.
	method, path := "-", "-"
	if errors.Is(err, fasthttp.ErrBodyTooLarge) || len(fctx.Request.Header.RawHeaders()) > 0 {
		method, path = printable(string(fctx.Request.Header.Method()), 32), printable(string(fctx.URI().Path()), 256)
	}
	s.refuse(&fctx.Response, status, requestLine{method: method, path: path, ip: fctx.RemoteIP().String()}, start, err)
}

// unknownMethod answers 501 to a method no route could have: the router
// would otherwise send a bare 501 that skips our headers and the log.
func (s *Server) unknownMethod(fctx *fasthttp.RequestCtx) {
	start := time.Now()
	r := requestLine{method: printable(string(fctx.Method()), 32), path: printable(string(fctx.URI().Path()), 256), ip: fctx.RemoteIP().String()}
	fctx.Response.Header.Set(fiber.HeaderAllow, strings.Join(fiber.DefaultMethods, ", "))
	s.refuse(&fctx.Response, fiber.StatusNotImplemented, r, start, nil)
}

// refuse writes a short plain-text answer with the headers every answer
// carries, then logs and counts it like any other request.
func (s *Server) refuse(resp *fasthttp.Response, status int, r requestLine, start time.Time, cause error) {
	id := newRequestID()
	resp.SetStatusCode(status)
	resp.Header.SetContentType(fiber.MIMETextPlainCharsetUTF8)
	resp.Header.Set(fiber.HeaderXRequestID, id)
	for _, h := range s.security {
		resp.Header.Set(h[0], h[1])
	}
	resp.SetBodyString(http.StatusText(status) + "\n")
	r.route, r.status, r.bytes, r.elapsed = routeRejected, status, len(resp.Body()), time.Since(start)
	if cause != nil {
		r.reason = printable(cause.Error(), 200)
	}
	s.logRequest(s.Log.With(slog.String("request_id", id)), r)
}

// rejectionStatus maps a parser error to the status the client gets.
func rejectionStatus(err error) int {
	var small *fasthttp.ErrSmallBuffer
	var netErr net.Error
	switch {
	case errors.As(err, &small):
		return fiber.StatusRequestHeaderFieldsTooLarge
	case errors.Is(err, fasthttp.ErrBodyTooLarge):
		return fiber.StatusRequestEntityTooLarge
	case errors.As(err, &netErr) && netErr.Timeout(), strings.Contains(err.Error(), "timeout"):
		return fiber.StatusRequestTimeout
	default:
		return fiber.StatusBadRequest
	}
}

// printable keeps at most n bytes of s with control characters replaced,
// for logging bytes a client chose.
func printable(s string, n int) string {
	if len(s) > n {
		s = s[:n]
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '?'
		}
		return r
	}, strings.ToValidUTF8(s, "?"))
}

// Listener returns ln with each connection's first request head checked
// for bare-LF line endings. fasthttp accepts a head only when it ends in
// CRLF CRLF (so that it frames requests as a strict proxy in front of it
// would) and otherwise waits for more bytes until the read time-out: a
// client that ends lines with "\n" alone would hang for 30 seconds. Such a
// head is refused at once with 400. Only the first request of a connection
// is checked: later ones share fasthttp's read buffer, so without parsing
// HTTP ourselves we cannot tell a head from a body there (see README).
func (s *Server) Listener(ln net.Listener) net.Listener { return &guardListener{Listener: ln, s: s} }

// Serve serves the app on ln until the app shuts down.
func (s *Server) Serve(ln net.Listener) error {
	return s.App.Listener(s.Listener(ln), fiber.ListenConfig{DisableStartupMessage: true})
}

type guardListener struct {
	net.Listener
	s *Server
}

func (l *guardListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &guardConn{Conn: c, s: l.s, start: time.Now()}, nil
}

// errBareLF ends the connection of a refused request; it wraps
// net.ErrClosed so fasthttp treats it as a closed connection, not as a
// request to answer.
var errBareLF = fmt.Errorf("web: request head with bare LF line endings: %w", net.ErrClosed)

// guardConn scans the first request head as it is read. Reads and writes
// of one connection come from fasthttp's one goroutine for it.
type guardConn struct {
	net.Conn
	s     *Server
	start time.Time
	done  bool // the first head ended (or was refused): pass bytes through

	line    []byte // the request line, for the log
	lineLen int    // bytes in the current line, not counting CR LF
	cr      bool   // the last byte was CR
	content bool   // a non-empty line was seen (blank lines before one are allowed)
	prevCR  bool   // the previous line ended in CR LF
}

func (c *guardConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if c.done || n == 0 {
		return n, err
	}
	if c.scan(p[:n]) {
		c.refuse()
		return 0, errBareLF
	}
	if c.done {
		c.line = nil // kept for the log of a refusal only; a websocket lives on
	}
	return n, err
}

// scan follows the head's lines and reports whether it ended with a blank
// line that is not the CR LF CR LF fasthttp waits for.
func (c *guardConn) scan(b []byte) (bareLF bool) {
	for _, ch := range b {
		if !c.content && len(c.line) < 256 && ch != '\r' && ch != '\n' {
			c.line = append(c.line, ch)
		}
		switch ch {
		case '\n':
			crlf := c.cr
			if c.lineLen == 0 && c.content {
				c.done = true
				return !(crlf && c.prevCR)
			}
			if c.lineLen > 0 {
				c.content = true
			}
			c.prevCR, c.lineLen, c.cr = crlf, 0, false
		case '\r':
			if c.cr {
				c.lineLen++
			}
			c.cr = true
		default:
			if c.cr {
				c.lineLen++
			}
			c.cr = false
			c.lineLen++
		}
	}
	return false
}

// refuse writes the 400 straight to the connection and closes it.
func (c *guardConn) refuse() {
	var resp fasthttp.Response
	method, path, _ := strings.Cut(string(c.line), " ")
	path, _, _ = strings.Cut(path, " ")
	r := requestLine{method: printable(method, 32), path: printable(path, 256)}
	if addr, ok := c.RemoteAddr().(*net.TCPAddr); ok {
		r.ip = addr.IP.String()
	}
	c.s.refuse(&resp, fiber.StatusBadRequest, r, c.start, errors.New("bare LF line endings"))
	resp.SetConnectionClose()
	_ = c.Conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
	_, _ = resp.WriteTo(c.Conn)
	_ = c.Conn.Close()
}

// NetConn returns the connection c wraps, so that the hub can write to a
// websocket's descriptor without waiting (live.socket).
func (c *guardConn) NetConn() net.Conn { return c.Conn }
