package postgres

import (
	"errors"
	"fmt"
	"log"
	"os"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// traceConflicts (HELPCENTRE_PG_TRACE_CONFLICTS=1) logs, for every
// transaction that ends in a serialization failure or a deadlock, the
// statements it sent, round trip by round trip, with PostgreSQL's reason:
// to find which reads of a write transaction make concurrent writers
// conflict (PostgreSQL's SSI locks the index pages a statement reads).
var traceConflicts = os.Getenv("HELPCENTRE_PG_TRACE_CONFLICTS") == "1"

// traceCommitted, when set (by a test, before any transaction runs), is
// given the statements of every committed write transaction, as the trace
// describes them: to count what a command costs.
var traceCommitted func(trace []string)

// traceViewed is traceCommitted for read-only transactions (View): to count
// what a read (a page of the inbox) costs. Its last line is traceRowsRead
// and the rows the transaction's reads returned (cursor windows, GetMany):
// what PostgreSQL read for it, noise-free.
var traceViewed func(trace []string)

const traceRowsRead = "rows read: "

// tracing reports whether transactions record their statements.
func tracing() bool { return traceConflicts || traceCommitted != nil || traceViewed != nil }

// describe is a statement as the trace shows it: its first words and its
// bucket and keys, printable.
func describe(sql string, args []any) string {
	if sql == sqlWrites {
		return describeWrites(args)
	}
	sql = strings.Join(strings.Fields(sql), " ")
	if len(sql) > 60 {
		sql = sql[:60] + "…"
	}
	var b strings.Builder
	b.WriteString(sql)
	for i, a := range args {
		if i == 3 {
			break
		}
		switch v := a.(type) {
		case []byte:
			fmt.Fprintf(&b, " | %s", printable(v))
		case [][]byte:
			fmt.Fprintf(&b, " | %d keys", len(v))
			if len(v) > 0 {
				fmt.Fprintf(&b, " [%s…]", printable(v[0]))
			}
		case int, int64:
			fmt.Fprintf(&b, " | %d", v)
		}
	}
	return b.String()
}

func printable(p []byte) string {
	var b strings.Builder
	for _, c := range p {
		if c >= 0x20 && c < 0x7f {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "\\x%02x", c)
		}
		if b.Len() > 70 {
			b.WriteString("…")
			break
		}
	}
	return b.String()
}

func logConflict(t *tx, err error) {
	var b strings.Builder
	fmt.Fprintf(&b, "postgres: transaction ran again: %v", err)
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		fmt.Fprintf(&b, " (%s; %s)", pe.Detail, pe.Hint)
	}
	for _, s := range t.trace {
		b.WriteString("\n\t")
		b.WriteString(s)
	}
	log.Print(b.String())
}

// describeWrites is sqlWrites as the trace shows it: the rows it puts and
// deletes, per bucket.
func describeWrites(args []any) string {
	count := func(buckets any) (string, int) {
		bs, _ := buckets.([][]byte)
		n := map[string]int{}
		var order []string
		for _, b := range bs {
			if n[string(b)] == 0 {
				order = append(order, string(b))
			}
			n[string(b)]++
		}
		var s strings.Builder
		for _, b := range order {
			fmt.Fprintf(&s, " %s:%d", printable([]byte(b)), n[b])
		}
		return s.String(), len(bs)
	}
	puts, np := count(args[1])
	dels, nd := count(args[4])
	return fmt.Sprintf("WRITE %d puts, %d deletes | puts%s | deletes%s", np, nd, puts, dels)
}
