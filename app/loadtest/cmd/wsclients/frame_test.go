//go:build linux

package main

import (
	"bytes"
	"compress/flate"
	"testing"

	"github.com/stretchr/testify/require"
)

// frame builds a server frame (unmasked) with the length in the shortest
// form, or in the 64-bit form when long is set.
func frame(first byte, payload []byte, long bool) []byte {
	b := []byte{first}
	switch n := len(payload); {
	case long:
		b = append(b, 127, 0, 0, 0, 0, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	case n < 126:
		b = append(b, byte(n))
	default:
		b = append(b, 126, byte(n>>8), byte(n))
	}
	return append(b, payload...)
}

// deflated is msg compressed as permessage-deflate sends it.
func deflated(t *testing.T, msg []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := flate.NewWriter(&buf, 6)
	require.NoError(t, err)
	_, err = w.Write(msg)
	require.NoError(t, err)
	require.NoError(t, w.Flush())
	return bytes.TrimSuffix(buf.Bytes(), []byte{0, 0, 0xff, 0xff})
}

type sink struct {
	arrived int
	pongs   [][]byte
}

// feedIn feeds stream to f in pieces of size n (all of it when n is 0).
func (s *sink) feedIn(f *frames, stream []byte, n int) error {
	var fl inflater
	if n == 0 {
		n = len(stream)
	}
	for len(stream) > 0 {
		k := min(n, len(stream))
		err := f.feed(stream[:k], func() { s.arrived++ }, func(p []byte) { s.pongs = append(s.pongs, bytes.Clone(p)) }, &fl)
		if err != nil {
			return err
		}
		stream = stream[k:]
	}
	return nil
}

func TestFramesCountsMessagesInAnyPieces(t *testing.T) {
	t.Parallel()
	big := bytes.Repeat([]byte("x"), 3000)
	var stream []byte
	stream = append(stream, frame(0x81, []byte("hello"), false)...)
	stream = append(stream, frame(0x81, big, false)...) // 16-bit length
	stream = append(stream, frame(0x82, big, true)...)  // 64-bit length
	stream = append(stream, frame(0x89, []byte("are you there"), false)...)
	stream = append(stream, frame(0x01, []byte("part one, "), false)...) // a fragmented message…
	stream = append(stream, frame(0x89, nil, false)...)                  // …with a ping between its frames
	stream = append(stream, frame(0x80, []byte("part two"), false)...)
	stream = append(stream, frame(0x8a, []byte("unsolicited pong"), false)...)
	stream = append(stream, frame(0x81, nil, false)...) // an empty message
	for _, n := range []int{0, 1, 2, 3, 7, 100, 4096} {
		var s sink
		var f frames
		require.NoError(t, s.feedIn(&f, stream, n), "pieces of %d", n)
		require.Equal(t, 5, s.arrived, "pieces of %d: messages", n)
		require.Equal(t, [][]byte{[]byte("are you there"), {}}, s.pongs, "pieces of %d: pings answered", n)
	}
}

func TestFramesInflatesWhenAsked(t *testing.T) {
	t.Parallel()
	msg := bytes.Repeat([]byte(`<div id="live-events" hx-swap-oob="true">programme</div>`), 100)
	z := deflated(t, msg)
	half := len(z) / 2
	good := append(frame(0xc1, z, false), frame(0x01|0x40, z[:half], false)...) // RSV1: compressed
	good = append(good, frame(0x80, z[half:], false)...)
	for _, n := range []int{0, 1, 5} {
		var s sink
		f := frames{inflate: true}
		require.NoError(t, s.feedIn(&f, good, n))
		require.Equal(t, 2, s.arrived)
	}

	garbage := frame(0xc1, []byte{0xff, 0xfe, 0xfd, 0xfc, 0xfb}, false)
	var s sink
	f := frames{inflate: true}
	require.ErrorContains(t, s.feedIn(&f, garbage, 0), "inflate")
	// Without -inflate the payload is skipped: garbage counts as a frame.
	s, f = sink{}, frames{}
	require.NoError(t, s.feedIn(&f, garbage, 0))
	require.Equal(t, 1, s.arrived)
}

func TestFramesRefusesWhatNoServerSends(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		stream []byte
		want   error
	}{
		"close":                 {frame(0x88, []byte{0x03, 0xe8}, false), errServerClosed},
		"masked":                {[]byte{0x81, 0x85, 1, 2, 3, 4, 'h', 'e', 'l', 'l', 'o'}, errMasked},
		"long ping":             {frame(0x89, bytes.Repeat([]byte("p"), 126), false), errBadFrame},
		"fragmented ping":       {frame(0x09, []byte("p"), false), errBadFrame},
		"reserved data opcode":  {frame(0x83, []byte("?"), false), errBadFrame},
		"reserved control code": {frame(0x8b, []byte("?"), false), errBadFrame},
		"absurd length":         {[]byte{0x81, 127, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, errBadFrame},
	} {
		for _, n := range []int{0, 1} {
			var s sink
			var f frames
			require.ErrorIs(t, s.feedIn(&f, tc.stream, n), tc.want, "%s in pieces of %d", name, n)
			require.Zero(t, s.arrived, name)
		}
	}
}

func TestPongFrameIsAMaskedClientFrame(t *testing.T) {
	t.Parallel()
	require.Equal(t, []byte{0x8a, 0x82, 0, 0, 0, 0, 'h', 'i'}, pongFrame([]byte("hi")))
	require.Equal(t, []byte{0x8a, 0x80, 0, 0, 0, 0}, pongFrame(nil))
}
