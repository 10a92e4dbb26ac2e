package nowplaying

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/dreamerscave/tdc/app/db"
)

// Polling limits. A stream server answers from memory on the same network
// as the stream; one that takes longer than PollTimeout is as good as down,
// and a status page is a few KB, so anything near MaxStatusBytes is not one.
const (
	PollTimeout    = time.Second
	MaxStatusBytes = 1 << 20
	// pollParallel bounds how many servers are asked at once, so one
	// poll of many venues still ends within a few time-outs.
	pollParallel = 4
)

// Errors of a poll, as the location editor shows them.
var (
	ErrRedirectElsewhere = errors.New("redirected to another host")
	ErrTooLarge          = fmt.Errorf("answer larger than %d bytes", MaxStatusBytes)
)

// pollClient is the HTTP client for stream servers: a time-out for the
// whole exchange, body included (a server that sends slowly is caught
// too), and redirects only within the same host, since the status URL is
// what an editor vouched for.
func pollClient(timeout time.Duration) *http.Client {
	return &http.Client{
		Timeout: timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 3 {
				return errors.New("too many redirects")
			}
			if req.URL.Host != via[0].URL.Host {
				return fmt.Errorf("%w (%s)", ErrRedirectElsewhere, req.URL.Host)
			}
			return nil
		},
	}
}

// Poll asks the stream server of every venue that has one what plays, and
// records it (only changes are stored). A server that fails is logged and
// marked unhealthy, and the others are polled all the same; only failing
// to list the venues is an error. It is the poll job's one call.
func (s *Service) Poll(ctx context.Context) error {
	srcs, err := s.q.NowPlayingSources(ctx)
	if err != nil {
		return fmt.Errorf("nowplaying: list stream servers: %w", err)
	}
	var g errgroup.Group
	g.SetLimit(pollParallel)
	for _, src := range srcs {
		g.Go(func() error {
			s.pollOne(ctx, src)
			return nil
		})
	}
	return g.Wait()
}

// pollOne polls one venue's server and records the answer and its health.
func (s *Service) pollOne(ctx context.Context, src db.NowPlayingSourcesRow) {
	log := s.log.With(slog.String("location", src.Slug), slog.String("kind", string(src.StreamKind)))
	st, err := s.status(ctx, string(src.StreamKind), src.StreamStatusUrl, src.StreamListenUrl)
	if err != nil {
		n, herr := s.markFailed(ctx, src.Slug, err)
		log.Warn("nowplaying: poll failed", slog.Int("failures", n), slog.Any("error", err))
		if herr != nil {
			log.Error("nowplaying: health", slog.Any("error", herr))
		}
		// The track stays: an unreachable status page does not mean the
		// stream stopped, and the editor sees the failure.
		return
	}
	if err := s.markOK(ctx, src.Slug); err != nil {
		log.Error("nowplaying: health", slog.Any("error", err))
	}
	if st.Live {
		_, err = s.Record(ctx, src.Slug, st.Track)
	} else {
		_, err = s.OffAir(ctx, src.Slug)
	}
	if err != nil {
		log.Error("nowplaying: record polled track", slog.Any("error", err))
	}
}

// status is what a stream server reported.
type status struct {
	// Live says a source is connected; Track is then what it plays.
	Live  bool
	Track Track
	// StreamStart is when the source connected, when the server says.
	StreamStart time.Time
}

// status fetches and reads the status of a kind ("icecast" or "shoutcast")
// server. listenURL picks the Icecast mount.
func (s *Service) status(ctx context.Context, kind, statusURL, listenURL string) (status, error) {
	u, err := statusLocation(kind, statusURL)
	if err != nil {
		return status{}, err
	}
	body, err := s.fetch(ctx, u)
	if err != nil {
		return status{}, err
	}
	if kind == SourceShoutcast {
		return parseShoutcast(body)
	}
	return parseIcecast(body, listenURL)
}

// statusLocation is the URL to poll: the venue's status URL, with the
// server's usual status path added when it names only the server.
func statusLocation(kind, raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", errors.New("status URL is not an http(s) address")
	}
	if u.Path == "" || u.Path == "/" {
		if kind == SourceShoutcast {
			u.Path, u.RawQuery = "/stats", "sid=1&json=1"
		} else {
			u.Path = "/status-json.xsl"
		}
	}
	return u.String(), nil
}

// fetch GETs u and returns its body: at most MaxStatusBytes, from a 2xx
// answer. Its errors do not repeat the URL, which may carry credentials and
// is shown in the back office.
func (s *Service) fetch(ctx context.Context, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("bad status URL: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "tdc-nowplaying/1")
	res, err := s.client.Do(req)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			if uerr.Timeout() {
				return nil, fmt.Errorf("no answer within %s", s.client.Timeout)
			}
			err = uerr.Err
		}
		return nil, fmt.Errorf("request failed: %w", err)
	}
	defer res.Body.Close()
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return nil, fmt.Errorf("answered %s", res.Status)
	}
	if res.ContentLength > MaxStatusBytes {
		return nil, ErrTooLarge
	}
	body, err := io.ReadAll(io.LimitReader(res.Body, MaxStatusBytes+1))
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) && uerr.Timeout() || errors.Is(err, context.DeadlineExceeded) {
			return nil, fmt.Errorf("no full answer within %s", s.client.Timeout)
		}
		return nil, fmt.Errorf("read answer: %w", err)
	}
	if len(body) > MaxStatusBytes {
		return nil, ErrTooLarge
	}
	if ct, _, _ := mime.ParseMediaType(res.Header.Get("Content-Type")); ct == "text/html" && !json.Valid(body) {
		return nil, errors.New("answered with an HTML page, not JSON")
	}
	return body, nil
}

// icecastSource is one mount in Icecast's status-json.xsl. The XSLT turns
// numeric-looking text into numbers, true/false into booleans and empty
// elements into null, so the texts are read raw (see scalar).
type icecastSource struct {
	Title       json.RawMessage `json:"title"`
	Artist      json.RawMessage `json:"artist"`
	ListenURL   json.RawMessage `json:"listenurl"`
	StreamStart json.RawMessage `json:"stream_start_iso8601"`
}

// parseIcecast reads Icecast 2's status-json.xsl: "source" is absent when
// no mount is live, an object for one mount and an array for several (and,
// in 2.5's publicstats, an object keyed by mount). The mount is known only
// from its listenurl, so listenURL (the venue's) picks it by path; without
// one the first mount is taken.
func parseIcecast(body []byte, listenURL string) (status, error) {
	var doc struct {
		Icestats *struct {
			Source json.RawMessage `json:"source"`
		} `json:"icestats"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return status{}, notJSON(err)
	}
	if doc.Icestats == nil {
		return status{}, errors.New("not an Icecast status: no icestats")
	}
	raw := bytes.TrimSpace(doc.Icestats.Source)
	if len(raw) == 0 || string(raw) == "null" {
		return status{}, nil
	}
	sources, err := icecastSources(raw)
	if err != nil {
		return status{}, err
	}
	src, ok := pickMount(sources, listenURL)
	if !ok {
		return status{}, nil
	}
	st := status{Live: true, Track: Track{Artist: scalar(src.Artist), Title: scalar(src.Title), Source: SourceIcecast}}
	// Icecast writes %z (+1100), not RFC 3339's +11:00.
	if t, err := time.Parse("2006-01-02T15:04:05-0700", scalar(src.StreamStart)); err == nil {
		st.StreamStart = t.UTC()
	}
	return st, nil
}

// icecastSources reads "source" in each of its shapes, keyed by mount
// where the mount is known ("" where it is not).
func icecastSources(raw json.RawMessage) ([]mount, error) {
	bad := errors.New("not an Icecast status: source is neither a mount nor a list of mounts")
	switch raw[0] {
	case '[':
		var list []icecastSource
		if err := json.Unmarshal(raw, &list); err != nil {
			return nil, bad
		}
		out := make([]mount, len(list))
		for i, s := range list {
			out[i] = mount{src: s}
		}
		return out, nil
	case '{':
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(raw, &fields); err != nil {
			return nil, bad
		}
		if _, one := fields["listenurl"]; one || len(fields) == 0 || !allObjects(fields) {
			var s icecastSource
			if err := json.Unmarshal(raw, &s); err != nil {
				return nil, bad
			}
			return []mount{{src: s}}, nil
		}
		// Icecast 2.5: {"/live": {...}, "/backup": {...}}.
		var out []mount
		for name, v := range fields {
			var s icecastSource
			if err := json.Unmarshal(v, &s); err != nil {
				return nil, bad
			}
			out = append(out, mount{name: name, src: s})
		}
		return out, nil
	}
	return nil, bad
}

type mount struct {
	name string
	src  icecastSource
}

func allObjects(m map[string]json.RawMessage) bool {
	for _, v := range m {
		if v = bytes.TrimSpace(v); len(v) == 0 || v[0] != '{' {
			return false
		}
	}
	return true
}

// pickMount finds the mount whose path is listenURL's; without a listen
// URL it takes the one with the smallest path, so the choice does not
// depend on the order the server lists them in.
func pickMount(ms []mount, listenURL string) (icecastSource, bool) {
	path := func(m mount) string {
		if m.name != "" {
			return m.name
		}
		u, err := url.Parse(scalar(m.src.ListenURL))
		if err != nil {
			return ""
		}
		return u.Path
	}
	if listenURL != "" {
		want, err := url.Parse(listenURL)
		if err == nil {
			for _, m := range ms {
				if path(m) == want.Path {
					return m.src, true
				}
			}
			return icecastSource{}, false
		}
	}
	if len(ms) == 0 {
		return icecastSource{}, false
	}
	best := ms[0]
	for _, m := range ms[1:] {
		if path(m) < path(best) {
			best = m
		}
	}
	return best.src, true
}

// parseShoutcast reads SHOUTcast DNAS 2's stats?sid=1&json=1: streamstatus
// 1 when a source is connected, songtitle "Artist - Title" (empty when
// unknown), and an optional dj.
func parseShoutcast(body []byte) (status, error) {
	var doc struct {
		StreamStatus json.RawMessage `json:"streamstatus"`
		SongTitle    json.RawMessage `json:"songtitle"`
		DJ           json.RawMessage `json:"dj"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return status{}, notJSON(err)
	}
	if doc.StreamStatus == nil {
		return status{}, errors.New("not a SHOUTcast status: no streamstatus")
	}
	if scalar(doc.StreamStatus) != "1" {
		return status{}, nil
	}
	return status{Live: true, Track: Track{Title: scalar(doc.SongTitle), DJ: scalar(doc.DJ), Source: SourceShoutcast}}, nil
}

// scalar is a JSON value as text: a string's content, a number as written,
// true or false; "" for null and for objects and arrays (no title).
func scalar(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return ""
	}
	switch raw[0] {
	case '"':
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
		return ""
	case 'n', '{', '[':
		return ""
	}
	return string(raw) // a number or a boolean, already validated JSON
}

// notJSON says what was wrong with an answer that is not JSON, without
// quoting it (it may be a whole HTML page).
func notJSON(err error) error {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return fmt.Errorf("answer is not JSON (at byte %d)", syn.Offset)
	}
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		return fmt.Errorf("answer is not a status object: %s where %s was expected", typ.Value, typ.Type)
	}
	return fmt.Errorf("answer is not JSON: %s", strings.SplitN(err.Error(), "\n", 2)[0])
}
