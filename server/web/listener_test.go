package web

import (
	"errors"
	"net"
	"os"
	"syscall"
	"testing"
	"time"
)

// emfileListener fails its first n accepts as a process out of file
// descriptors does, then hands out one end of a pipe.
type emfileListener struct {
	n, calls int
	at       []time.Time
}

func (l *emfileListener) Accept() (net.Conn, error) {
	l.at = append(l.at, time.Now())
	l.calls++
	if l.calls <= l.n {
		return nil, &net.OpError{Op: "accept", Net: "tcp", Err: os.NewSyscallError("accept4", syscall.EMFILE)}
	}
	c, _ := net.Pipe()
	return c, nil
}
func (l *emfileListener) Close() error   { return nil }
func (l *emfileListener) Addr() net.Addr { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)} }

// TestListenerBacksOffOnEMFILE: accept4 failing with "too many open files"
// is waited out with a growing delay, never returned (fasthttp's Serve would
// return it and the process exit).
func TestListenerBacksOffOnEMFILE(t *testing.T) {
	fake := &emfileListener{n: 5}
	ln := Listen(fake, ListenerConfig{})
	done := make(chan error, 1)
	go func() {
		c, err := ln.Accept()
		if c != nil {
			c.Close()
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Accept returned %v, want the connection after the failures", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Accept did not return within 5 s")
	}
	if fake.calls != 6 {
		t.Fatalf("accept called %d times, want 6", fake.calls)
	}
	// 5, 10, 20, 40, 80 ms: each wait at least the one before, the first
	// at least 5 ms.
	var prev time.Duration
	for i := 1; i < len(fake.at); i++ {
		gap := fake.at[i].Sub(fake.at[i-1])
		if gap < 4*time.Millisecond || gap < prev*3/4 {
			t.Errorf("wait %d: %v after %v, want a growing back-off from 5 ms", i, gap, prev)
		}
		prev = gap
	}
}

// TestListenerCloseEndsBackOff: Close wakes an Accept that is waiting out
// EMFILE, which then reports the listener closed.
func TestListenerCloseEndsBackOff(t *testing.T) {
	ln := Listen(&emfileListener{n: 1 << 30}, ListenerConfig{})
	done := make(chan error, 1)
	go func() { _, err := ln.Accept(); done <- err }()
	time.Sleep(50 * time.Millisecond)
	ln.Close()
	select {
	case err := <-done:
		if !errors.Is(err, net.ErrClosed) {
			t.Fatalf("got %v, want net.ErrClosed", err)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("Accept kept backing off after Close")
	}
}

func TestTemporaryAcceptError(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{&net.OpError{Op: "accept", Err: os.NewSyscallError("accept4", syscall.EMFILE)}, true},
		{&net.OpError{Op: "accept", Err: os.NewSyscallError("accept4", syscall.ENFILE)}, true},
		{&net.OpError{Op: "accept", Err: os.NewSyscallError("accept4", syscall.ECONNABORTED)}, true},
		{net.ErrClosed, false},
		{&net.OpError{Op: "accept", Err: net.ErrClosed}, false},
		{errors.New("something else"), false},
	} {
		if got := temporaryAcceptError(tc.err); got != tc.want {
			t.Errorf("temporaryAcceptError(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}
