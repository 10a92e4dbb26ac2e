//go:build linux

package main

import (
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Opcodes of RFC 6455, section 5.2.
const (
	opContinuation = 0x0
	opText         = 0x1
	opBinary       = 0x2
	opClose        = 0x8
	opPing         = 0x9
	opPong         = 0xa
)

var (
	errServerClosed = errors.New("the server sent a close frame")
	errMasked       = errors.New("a server frame is masked")
	errBadFrame     = errors.New("malformed frame")
)

// frames follows the server→client frames of one socket as its bytes
// arrive, in pieces of any size, and notes the arrival of each message:
// the moment its first frame's header is in (the payload is skipped, as a
// browser's inflating happens on its own machine). Pings are answered.
type frames struct {
	hdr       [14]byte // the header being read
	nhdr      int
	inPayload bool
	op        byte  // opcode of the frame being read
	fin       bool  // it ends its message
	left      int64 // its payload bytes still to come
	ctl       []byte
	// With inflate, the compressed payload of the message being read.
	inflate    bool
	compressed bool
	msg        []byte
}

// feed takes the next bytes of the socket, read at now. It calls arrived
// for each message that begins in them and pong for each ping's payload.
// It returns an error when the stream is not the server's websocket stream
// or the server closes it.
func (f *frames) feed(b []byte, arrived func(), pong func(payload []byte), fl *inflater) error {
	for len(b) > 0 {
		if !f.inPayload {
			n, err := f.header(b)
			if err != nil {
				return err
			}
			b = b[n:]
			if !f.inPayload {
				return nil // more header bytes to come
			}
			switch f.op {
			case opText, opBinary:
				arrived()
				f.msg = f.msg[:0]
			case opClose:
				return errServerClosed
			}
			if f.left == 0 {
				if err := f.frameDone(pong, fl); err != nil {
					return err
				}
			}
			continue
		}
		n := int(min(int64(len(b)), f.left))
		switch {
		case f.op == opPing || f.op == opPong:
			f.ctl = append(f.ctl, b[:n]...)
		case f.inflate && f.compressed:
			f.msg = append(f.msg, b[:n]...)
		}
		b, f.left = b[n:], f.left-int64(n)
		if f.left == 0 {
			if err := f.frameDone(pong, fl); err != nil {
				return err
			}
		}
	}
	return nil
}

// header reads header bytes from b and returns how many it used; once the
// header is whole it sets inPayload.
func (f *frames) header(b []byte) (int, error) {
	used := 0
	need := 2
	for {
		if f.nhdr >= 2 {
			if f.hdr[1]&0x80 != 0 {
				return used, errMasked
			}
			switch f.hdr[1] & 0x7f {
			case 126:
				need = 4
			case 127:
				need = 10
			}
		}
		if f.nhdr == need {
			break
		}
		if len(b) == used {
			return used, nil
		}
		k := copy(f.hdr[f.nhdr:need], b[used:])
		f.nhdr += k
		used += k
	}
	h := f.hdr[:f.nhdr]
	f.fin, f.op = h[0]&0x80 != 0, h[0]&0x0f
	var length uint64
	switch h[1] & 0x7f {
	case 126:
		length = uint64(h[2])<<8 | uint64(h[3])
	case 127:
		for _, c := range h[2:10] {
			length = length<<8 | uint64(c)
		}
	default:
		length = uint64(h[1] & 0x7f)
	}
	control := f.op >= opClose
	switch {
	case length > 1<<40:
		return used, fmt.Errorf("%w: payload of %d bytes", errBadFrame, length)
	case control && (length > 125 || !f.fin):
		return used, fmt.Errorf("%w: control frame %#x of %d bytes, fin %v", errBadFrame, f.op, length, f.fin)
	case f.op != opContinuation && f.op != opText && f.op != opBinary && !control,
		control && f.op != opClose && f.op != opPing && f.op != opPong:
		return used, fmt.Errorf("%w: opcode %#x", errBadFrame, f.op)
	}
	if f.op == opText || f.op == opBinary {
		f.compressed = h[0]&0x40 != 0
	}
	f.nhdr, f.left, f.inPayload = 0, int64(length), true
	return used, nil
}

func (f *frames) frameDone(pong func([]byte), fl *inflater) error {
	f.inPayload = false
	switch {
	case f.op == opPing:
		pong(f.ctl)
	case f.op >= opClose:
	case f.fin && f.inflate && f.compressed:
		if err := fl.check(f.msg); err != nil {
			return err
		}
	}
	f.ctl = f.ctl[:0]
	return nil
}

// inflater inflates permessage-deflate messages (RFC 7692, no context
// takeover, as the server sends them) to prove that they decode.
type inflater struct{ r io.ReadCloser }

func (fl *inflater) check(msg []byte) error {
	// The sender strips the final empty block's 00 00 ff ff; put it back,
	// with a final block so that the reader ends without an error.
	in := io.MultiReader(bytes.NewReader(msg), strings.NewReader("\x00\x00\xff\xff\x01\x00\x00\xff\xff"))
	if fl.r == nil {
		fl.r = flate.NewReader(in)
	} else if err := fl.r.(flate.Resetter).Reset(in, nil); err != nil {
		return fmt.Errorf("inflate: %w", err)
	}
	if _, err := io.Copy(io.Discard, fl.r); err != nil {
		return fmt.Errorf("inflate: %w", err)
	}
	return nil
}

// pongFrame is a client's pong carrying payload, masked as a client's
// frames must be (with a zero key, which leaves the payload as it is).
func pongFrame(payload []byte) []byte {
	return append([]byte{0x80 | opPong, 0x80 | byte(len(payload)), 0, 0, 0, 0}, payload...)
}
