package search

import (
	"context"
	"errors"
	"testing"
	"time"
)

// withDeadline keeps context.WithDeadline's contract: Err is nil until the
// deadline, then DeadlineExceeded; Done, once asked for, is closed at the
// deadline; cancel ends it with Canceled; a parent's end is its end.
func TestWithDeadline(t *testing.T) {
	t.Run("err after the deadline, without Done", func(t *testing.T) {
		ctx := withDeadline(context.Background(), time.Now().Add(30*time.Millisecond))
		cancel := ctx.cancel
		defer cancel()
		if err := ctx.Err(); err != nil {
			t.Fatalf("Err before the deadline: %v", err)
		}
		if d, ok := ctx.Deadline(); !ok || time.Until(d) > 30*time.Millisecond {
			t.Errorf("Deadline = %v, %v", d, ok)
		}
		time.Sleep(40 * time.Millisecond)
		if err := ctx.Err(); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Err after the deadline: %v, want DeadlineExceeded", err)
		}
		select {
		case <-ctx.Done(): // asked for after the end: already closed
		default:
			t.Error("Done asked for after the deadline is not closed")
		}
	})
	t.Run("done closes at the deadline", func(t *testing.T) {
		ctx := withDeadline(context.Background(), time.Now().Add(30*time.Millisecond))
		cancel := ctx.cancel
		defer cancel()
		select {
		case <-ctx.Done():
		case <-time.After(5 * time.Second):
			t.Fatal("Done not closed 5 s after a 30 ms deadline")
		}
		if err := ctx.Err(); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Err once Done: %v", err)
		}
	})
	t.Run("cancel", func(t *testing.T) {
		ctx := withDeadline(context.Background(), time.Now().Add(time.Hour))
		cancel := ctx.cancel
		done := ctx.Done()
		cancel()
		select {
		case <-done:
		default:
			t.Fatal("Done not closed by cancel")
		}
		if err := ctx.Err(); !errors.Is(err, context.Canceled) {
			t.Errorf("Err after cancel: %v", err)
		}
		cancel() // twice is fine
	})
	t.Run("the parent's end", func(t *testing.T) {
		parent, stop := context.WithCancel(context.Background())
		ctx := withDeadline(parent, time.Now().Add(time.Hour))
		cancel := ctx.cancel
		defer cancel()
		done := ctx.Done()
		stop()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatal("Done not closed when the parent was cancelled")
		}
		if err := ctx.Err(); !errors.Is(err, context.Canceled) {
			t.Errorf("Err: %v", err)
		}
		// without Done asked for first
		parent2, stop2 := context.WithCancel(context.Background())
		ctx2 := withDeadline(parent2, time.Now().Add(time.Hour))
		cancel2 := ctx2.cancel
		defer cancel2()
		stop2()
		if err := ctx2.Err(); !errors.Is(err, context.Canceled) {
			t.Errorf("Err of a cancelled parent's child: %v", err)
		}
	})
	t.Run("an earlier parent deadline", func(t *testing.T) {
		parent, stop := context.WithTimeout(context.Background(), 20*time.Millisecond)
		defer stop()
		ctx := withDeadline(parent, time.Now().Add(time.Hour))
		cancel := ctx.cancel
		defer cancel()
		if d, _ := ctx.Deadline(); time.Until(d) > time.Second {
			t.Errorf("Deadline %v: the parent's, 20 ms away, comes first", d)
		}
		<-ctx.Done()
		if err := ctx.Err(); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Err: %v", err)
		}
	})
}

// A search that does not wait makes no timer: the context is one object.
func TestWithDeadlineAllocs(t *testing.T) {
	n := testing.AllocsPerRun(100, func() {
		ctx := withDeadline(context.Background(), time.Now().Add(time.Second))
		cancel := ctx.cancel
		_ = ctx.Err()
		cancel()
	})
	if n > 1 {
		t.Errorf("%v allocations, want 1", n)
	}
}
