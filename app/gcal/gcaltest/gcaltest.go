// Package gcaltest is a local stand-in for Google Calendar API v3 and
// Google's OAuth token endpoint, speaking their wire format (see
// WIRE-CONTRACTS.md §2): service-account JWT bearer grants, events
// insert/get/list/update/patch/delete with soft deletion (a deleted event
// stays as "cancelled": inserting its id again is 409 duplicate, deleting
// it again 410 deleted; update or patch restores it) and injectable faults.
package gcaltest

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

const token = "fake-access-token"

// Fault is an answer the server gives instead of handling a request.
type Fault struct {
	Status int
	Reason string // Google's error reason, e.g. rateLimitExceeded
	Body   string // a raw body instead of Google's error JSON (garbage)
	Hang   bool   // never answer (until the client gives up)
	// Lost handles the request as usual, then answers with the fault: Google
	// did the work but the answer never arrived.
	Lost   bool
	Header http.Header
}

// The faults the tests use.
var (
	RateLimited     = Fault{Status: 403, Reason: "rateLimitExceeded"}
	UserRateLimited = Fault{Status: 403, Reason: "userRateLimitExceeded"}
	TooMany         = Fault{Status: 429, Reason: "rateLimitExceeded"}
	ServerError     = Fault{Status: 500, Reason: "backendError"}
	Garbage         = Fault{Status: 200, Body: `{"kind": "calendar#event", "id": `}
	Hang            = Fault{Hang: true}
	BadRequest      = Fault{Status: 400, Reason: "timeRangeEmpty"}
)

// Event is the server's copy of one event, as Google keeps it.
type Event struct {
	ID          string            `json:"id"`
	Status      string            `json:"status,omitempty"`
	Summary     string            `json:"summary,omitempty"`
	Description string            `json:"description,omitempty"`
	Location    string            `json:"location,omitempty"`
	Start       *DateTime         `json:"start,omitempty"`
	End         *DateTime         `json:"end,omitempty"`
	Source      map[string]string `json:"source,omitempty"`
	Extended    *struct {
		Private map[string]string `json:"private,omitempty"`
	} `json:"extendedProperties,omitempty"`
	Updated string `json:"updated,omitempty"`
	Kind    string `json:"kind,omitempty"`
}

// DateTime is Google's EventDateTime.
type DateTime struct {
	DateTime string `json:"dateTime,omitempty"`
	TimeZone string `json:"timeZone,omitempty"`
	Date     string `json:"date,omitempty"`
}

// Server is the fake. Its methods are safe for concurrent use.
type Server struct {
	URL        string // root URL, for TDC_GOOGLE_API_URL
	KeyFile    string // a service-account key whose token_uri is this server
	CalendarID string
	srv        *httptest.Server
	key        *rsa.PrivateKey
	mu         sync.Mutex
	events     map[string]*Event
	faults     []Fault
	calls      map[string]int // "insert", "update", "patch", "delete", "get", "list", "token"
	hang       chan struct{}
	hung       chan struct{}
}

// New starts a fake for calendar calID and writes its key file.
func New(t testing.TB, calID string) *Server {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{CalendarID: calID, key: key, events: map[string]*Event{}, calls: map[string]int{}, hang: make(chan struct{}), hung: make(chan struct{}, 64)}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(func() {
		close(s.hang)
		s.srv.Close()
	})
	s.URL = s.srv.URL + "/"
	der := x509.MarshalPKCS1PrivateKey(key)
	keyJSON, _ := json.Marshal(map[string]string{
		"type": "service_account", "project_id": "tdc-test", "private_key_id": "k1",
		"private_key":  string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: der})),
		"client_email": "tdc@tdc-test.iam.gserviceaccount.com", "client_id": "1",
		"token_uri": s.srv.URL + "/token",
	})
	s.KeyFile = filepath.Join(t.TempDir(), "key.json")
	if err := os.WriteFile(s.KeyFile, keyJSON, 0o600); err != nil {
		t.Fatal(err)
	}
	return s
}

// Hung receives once for each request the server has started hanging on.
func (s *Server) Hung() <-chan struct{} { return s.hung }

// Fail makes the next calendar requests (not token requests) answer with
// faults, one each, in order.
func (s *Server) Fail(faults ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, faults...)
}

// Calls returns how many requests of kind (insert, update, patch, delete,
// get, list, token) were handled, faults not counted.
func (s *Server) Calls(kind string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[kind]
}

// Event returns a copy of the event with id, if the calendar holds it
// (cancelled ones too).
func (s *Server) Event(id string) (Event, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.events[id]
	if !ok {
		return Event{}, false
	}
	return *e, true
}

// Len is how many events the calendar holds, cancelled ones included.
func (s *Server) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.events)
}

// Put stores e as if someone had made or edited it at Google.
func (s *Server) Put(e Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.events[e.ID] = &e
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/token" {
		s.token(w, r)
		return
	}
	s.mu.Lock()
	var f *Fault
	if len(s.faults) > 0 {
		f = &s.faults[0]
		s.faults = s.faults[1:]
	}
	s.mu.Unlock()
	if f != nil {
		if f.Lost {
			s.handle(httptest.NewRecorder(), r)
		}
		s.fault(w, r, *f)
		return
	}
	s.handle(w, r)
}

func (s *Server) handle(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer "+token {
		apiError(w, 401, "authError", "Invalid Credentials")
		return
	}
	// The client sends the calendar id path-escapes ("@" as %40).
	prefix := "/calendar/v3/calendars/" + s.CalendarID + "/events"
	if !strings.HasPrefix(r.URL.Path, prefix) {
		apiError(w, 404, "notFound", "Not Found")
		return
	}
	id := strings.TrimPrefix(strings.TrimPrefix(r.URL.Path, prefix), "/")
	switch {
	case id == "" && r.Method == http.MethodPost:
		s.insert(w, r)
	case id == "" && r.Method == http.MethodGet:
		s.list(w, r)
	case id != "" && r.Method == http.MethodGet:
		s.get(w, id)
	case id != "" && (r.Method == http.MethodPut || r.Method == http.MethodPatch):
		s.update(w, r, id, r.Method == http.MethodPatch)
	case id != "" && r.Method == http.MethodDelete:
		s.delete(w, id)
	default:
		apiError(w, 405, "methodNotAllowed", "Method not allowed")
	}
}

func (s *Server) fault(w http.ResponseWriter, r *http.Request, f Fault) {
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
	maps.Copy(w.Header(), f.Header)
	if f.Body != "" {
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		w.WriteHeader(f.Status)
		io.WriteString(w, f.Body)
		return
	}
	msg := map[string]string{
		"rateLimitExceeded": "Rate Limit Exceeded", "userRateLimitExceeded": "User Rate Limit Exceeded",
		"backendError": "Backend Error", "timeRangeEmpty": "The specified time range is empty.",
	}[f.Reason]
	apiError(w, f.Status, f.Reason, msg)
}

// token checks a JWT bearer grant signed with the key file's key.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer" {
		oauthError(w, "unsupported_grant_type", "Invalid grant_type")
		return
	}
	parts := strings.Split(r.PostForm.Get("assertion"), ".")
	if len(parts) != 3 {
		oauthError(w, "invalid_grant", "Invalid JWT")
		return
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err != nil || rsa.VerifyPKCS1v15(&s.key.PublicKey, crypto.SHA256, sum[:], sig) != nil {
		oauthError(w, "invalid_grant", "Invalid JWT Signature.")
		return
	}
	s.mu.Lock()
	s.calls["token"]++
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	json.NewEncoder(w).Encode(map[string]any{"access_token": token, "expires_in": 3599, "token_type": "Bearer"})
}

func (s *Server) insert(w http.ResponseWriter, r *http.Request) {
	var e Event
	if err := json.NewDecoder(r.Body).Decode(&e); err != nil {
		apiError(w, 400, "parseError", "Parse Error")
		return
	}
	if e.Start == nil || e.End == nil {
		apiError(w, 400, "required", "Missing end time.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if e.ID == "" {
		e.ID = fmt.Sprintf("gen%05d", len(s.events)+1)
	}
	if !validID(e.ID) {
		apiError(w, 400, "invalid", "Invalid resource id value.")
		return
	}
	if _, ok := s.events[e.ID]; ok {
		apiError(w, 409, "duplicate", "The requested identifier already exists.")
		return
	}
	s.calls["insert"]++
	if e.Status == "" {
		e.Status = "confirmed"
	}
	s.stamp(&e)
	s.events[e.ID] = &e
	writeJSON(w, 200, e)
}

func (s *Server) get(w http.ResponseWriter, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls["get"]++
	e, ok := s.events[id]
	if !ok {
		apiError(w, 404, "notFound", "Not Found")
		return
	}
	writeJSON(w, 200, e) // cancelled ones too, as Google does
}

func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls["list"]++
	showDeleted := r.URL.Query().Get("showDeleted") == "true"
	var prop []string
	if p := r.URL.Query().Get("privateExtendedProperty"); p != "" {
		prop = strings.SplitN(p, "=", 2)
	}
	items := []*Event{}
	for _, id := range slices.Sorted(maps.Keys(s.events)) {
		e := s.events[id]
		if e.Status == "cancelled" && !showDeleted {
			continue
		}
		if len(prop) == 2 && (e.Extended == nil || e.Extended.Private[prop[0]] != prop[1]) {
			continue
		}
		items = append(items, e)
	}
	writeJSON(w, 200, map[string]any{"kind": "calendar#events", "items": items})
}

func (s *Server) update(w http.ResponseWriter, r *http.Request, id string, patch bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, ok := s.events[id]
	if !ok {
		apiError(w, 404, "notFound", "Not Found")
		return
	}
	next := *cur
	if !patch {
		next = Event{ID: id}
	}
	if err := json.NewDecoder(r.Body).Decode(&next); err != nil {
		apiError(w, 400, "parseError", "Parse Error")
		return
	}
	if !patch && (next.Start == nil || next.End == nil) {
		apiError(w, 400, "required", "Missing end time.")
		return
	}
	next.ID = id
	if next.Status == "" {
		next.Status = "confirmed" // a full update of a deleted event restores it
	}
	if patch {
		s.calls["patch"]++
	} else {
		s.calls["update"]++
	}
	s.stamp(&next)
	s.events[id] = &next
	writeJSON(w, 200, next)
}

func (s *Server) delete(w http.ResponseWriter, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.events[id]
	if !ok {
		apiError(w, 404, "notFound", "Not Found")
		return
	}
	if e.Status == "cancelled" {
		apiError(w, 410, "deleted", "Resource has been deleted")
		return
	}
	s.calls["delete"]++
	e.Status = "cancelled"
	s.stamp(e)
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) stamp(e *Event) {
	e.Kind = "calendar#event"
	e.Updated = time.Now().UTC().Format(time.RFC3339Nano)
}

// validID is Google's rule for client-chosen ids: base32hex, 5 to 1024.
func validID(id string) bool {
	return len(id) >= 5 && len(id) <= 1024 && strings.Trim(id, "0123456789abcdefghijklmnopqrstuv") == ""
}

func apiError(w http.ResponseWriter, code int, reason, msg string) {
	writeJSON(w, code, map[string]any{"error": map[string]any{
		"errors":  []map[string]string{{"domain": "global", "reason": reason, "message": msg}},
		"code":    code,
		"message": msg,
	}})
}

func oauthError(w http.ResponseWriter, code, desc string) {
	writeJSON(w, 400, map[string]string{"error": code, "error_description": desc})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}
