// Package facebooktest is a local stand-in for the Graph API's Page feed,
// speaking its wire format (WIRE-CONTRACTS.md §3): POST /{version}/{page}/feed
// answers {"id":"{page}_{post}"}, GET lists the feed newest first, and errors
// are {"error":{"message","type","code","error_subcode","fbtrace_id"}},
// rate limits mostly with HTTP 400 or 403. Faults can be injected.
package facebooktest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Fault is an answer the server gives instead of handling a request.
type Fault struct {
	Status  int
	Code    int
	Subcode int
	Type    string
	Message string
	Body    string // a raw body instead of the error JSON
	Hang    bool   // never answer (until the client gives up)
	Lost    bool   // handle the request, then answer with the fault
}

// The faults the tests use: rate limits as Facebook sends them.
var (
	AppLimit      = Fault{Status: 400, Code: 4, Type: "OAuthException", Message: "(#4) Application request limit reached"}
	UserLimit     = Fault{Status: 403, Code: 17, Type: "OAuthException", Message: "(#17) User request limit reached"}
	PageLimit     = Fault{Status: 400, Code: 32, Type: "OAuthException", Message: "(#32) Page request limit reached"}
	CustomLimit   = Fault{Status: 400, Code: 613, Type: "OAuthException", Message: "(#613) Calls to this api have exceeded the rate limit."}
	BUCLimit      = Fault{Status: 429, Code: 80001, Type: "OAuthException", Message: "(#80001) There have been too many calls to this Page account."}
	TokenExpired  = Fault{Status: 400, Code: 190, Subcode: 463, Type: "OAuthException", Message: "Error validating access token: Session has expired."}
	Duplicate     = Fault{Status: 400, Code: 506, Type: "OAuthException", Message: "(#506) Duplicate status message"}
	Garbage       = Fault{Status: 200, Body: `{"id": `}
	Hang          = Fault{Hang: true}
	InternalError = Fault{Status: 500, Code: 2, Type: "OAuthException", Message: "An unexpected error has occurred."}
)

// Post is one post on the Page.
type Post struct {
	ID          string `json:"id"`
	Message     string `json:"message,omitempty"`
	Link        string `json:"link,omitempty"`
	CreatedTime string `json:"created_time"`
	created     time.Time
}

// Server is the fake. Its methods are safe for concurrent use.
type Server struct {
	URL    string
	PageID string
	Token  string
	srv    *httptest.Server
	mu     sync.Mutex
	posts  []Post
	faults []Fault
	lists  int
	hang   chan struct{}
	hung   chan struct{}
}

var versioned = regexp.MustCompile(`^/v[0-9]+\.[0-9]/([^/]+)/feed$`)

// New starts a fake Page pageID that accepts token.
func New(t testing.TB, pageID, token string) *Server {
	t.Helper()
	s := &Server{PageID: pageID, Token: token, hang: make(chan struct{}), hung: make(chan struct{}, 64)}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(func() {
		close(s.hang)
		s.srv.Close()
	})
	s.URL = s.srv.URL
	return s
}

// Hung receives once for each request the server has started hanging on.
func (s *Server) Hung() <-chan struct{} { return s.hung }

// Fail makes the next requests answer with faults, one each, in order.
func (s *Server) Fail(faults ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, faults...)
}

// Posts returns the Page's posts, oldest first.
func (s *Server) Posts() []Post {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Post(nil), s.posts...)
}

// Lists is how many feed reads were answered.
func (s *Server) Lists() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lists
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	var f *Fault
	if len(s.faults) > 0 {
		f = &s.faults[0]
		s.faults = s.faults[1:]
	}
	s.mu.Unlock()
	if f == nil {
		s.handle(w, r)
		return
	}
	if f.Hang {
		select {
		case s.hung <- struct{}{}:
		default:
		}
		select {
		case <-r.Context().Done():
		case <-s.hang:
		}
		return
	}
	if f.Lost {
		s.handle(httptest.NewRecorder(), r)
	}
	if f.Body != "" {
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		w.WriteHeader(f.Status)
		io.WriteString(w, f.Body)
		return
	}
	graphError(w, f.Status, f.Code, f.Subcode, f.Type, f.Message)
}

func (s *Server) handle(w http.ResponseWriter, r *http.Request) {
	m := versioned.FindStringSubmatch(r.URL.Path)
	if m == nil {
		graphError(w, 400, 2500, 0, "OAuthException", "Unknown path components: "+r.URL.Path)
		return
	}
	if err := r.ParseForm(); err != nil {
		graphError(w, 400, 100, 0, "OAuthException", "Invalid parameter")
		return
	}
	if r.Form.Get("access_token") != s.Token {
		graphError(w, 400, 190, 0, "OAuthException", "Invalid OAuth access token - Cannot parse access token")
		return
	}
	if m[1] != s.PageID {
		graphError(w, 400, 100, 33, "GraphMethodException", "Unsupported post request. Object with ID '"+m[1]+"' does not exist")
		return
	}
	switch r.Method {
	case http.MethodPost:
		s.post(w, r)
	case http.MethodGet:
		s.list(w, r)
	default:
		graphError(w, 400, 100, 0, "OAuthException", "Unsupported method")
	}
}

func (s *Server) post(w http.ResponseWriter, r *http.Request) {
	msg, link := r.PostForm.Get("message"), r.PostForm.Get("link")
	if msg == "" && link == "" {
		graphError(w, 400, 100, 0, "OAuthException", "(#100) Missing message or attachment")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now().UTC()
	p := Post{
		ID: fmt.Sprintf("%s_%d", s.PageID, 1000000+len(s.posts)), Message: msg, Link: link,
		CreatedTime: now.Format("2006-01-02T15:04:05-0700"), created: now,
	}
	s.posts = append(s.posts, p)
	writeJSON(w, 200, map[string]string{"id": p.ID})
}

func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	limit, err := strconv.Atoi(r.Form.Get("limit"))
	if err != nil || limit <= 0 {
		limit = 25
	}
	since := int64(0)
	if v := r.Form.Get("since"); v != "" {
		if since, err = strconv.ParseInt(v, 10, 64); err != nil {
			graphError(w, 400, 100, 0, "OAuthException", "(#100) since must be a time")
			return
		}
	}
	fields := strings.Split(r.Form.Get("fields"), ",")
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lists++
	data := []map[string]string{}
	for i := len(s.posts) - 1; i >= 0 && len(data) < limit; i-- {
		p := s.posts[i]
		if p.created.Unix() < since {
			continue
		}
		item := map[string]string{"id": p.ID, "created_time": p.CreatedTime}
		for _, f := range fields {
			switch f {
			case "message":
				item["message"] = p.Message
			case "link":
				item["link"] = p.Link
			}
		}
		data = append(data, item)
	}
	writeJSON(w, 200, map[string]any{"data": data, "paging": map[string]any{}})
}

func graphError(w http.ResponseWriter, status, code, subcode int, typ, msg string) {
	e := map[string]any{"message": msg, "type": typ, "code": code, "fbtrace_id": "AbCdEfGhIjK"}
	if subcode != 0 {
		e["error_subcode"] = subcode
	}
	writeJSON(w, status, map[string]any{"error": e})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
