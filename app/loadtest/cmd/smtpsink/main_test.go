package main

import (
	"bufio"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/stretchr/testify/require"
)

func TestBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"-n", "0"},
		{"-n", "1", "-latency", "-1ms"},
		{"-n", "1", "-latency", "1h"},
		{"-n", "1", "-latency", "soon"},
		{"-n", "1", "-addr", "0.0.0.0:0"},
	} {
		require.Error(t, run(args, strings.NewReader(""), io.Discard), args)
	}
}

// The sink counts each message by Message-ID, reports the n-th, and with
// -latency makes each of a mail's two round trips take that long.
func TestCountsAndLatency(t *testing.T) {
	const latency = 50 * time.Millisecond
	stdinR, stdinW := io.Pipe()
	outR, outW := io.Pipe()
	done := make(chan error, 1)
	go func() { done <- run([]string{"-n", "2", "-latency", latency.String()}, stdinR, outW); outW.Close() }()
	// The sink writes its reports while it answers: read them aside.
	lines := make(chan []byte, 3)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(outR)
		for sc.Scan() {
			lines <- append([]byte(nil), sc.Bytes()...)
		}
	}()
	var hello struct{ Addr string }
	require.NoError(t, json.Unmarshal(<-lines, &hello))

	c, err := smtp.Dial(hello.Addr)
	require.NoError(t, err)
	defer c.Close()
	send := func(id string) time.Duration {
		start := time.Now()
		msg := "Message-ID: <" + id + ">\r\nSubject: x\r\n\r\nbody\r\n"
		require.NoError(t, c.SendMail("a@example.org", []string{"b@example.org"}, strings.NewReader(msg)))
		return time.Since(start)
	}
	require.GreaterOrEqual(t, send("one@x"), 2*latency)
	send("one@x") // the same mail again
	var reached struct{ Messages int }
	require.NoError(t, json.Unmarshal(<-lines, &reached))
	require.Equal(t, 2, reached.Messages)

	stdinW.Close()
	var res Result
	require.NoError(t, json.Unmarshal(<-lines, &res))
	require.Equal(t, Result{Messages: 2, Distinct: 1}, res)
	require.NoError(t, <-done)
}
