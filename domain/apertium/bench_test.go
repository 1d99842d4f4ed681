//go:build linux

package apertium

import (
	"context"
	"testing"
	"time"
)

// messages are typical after-sales messages, 40–300 characters.
var messages = []string{
	"Where is my refund?",
	"Hi, I would like to return the shoes I bought last week. They do not fit. How do I get a return label?",
	"The package arrived damaged and the box was open. Please send me a new one or refund my money.",
	"Thank you for your order! We will ship the item tomorrow and send you the tracking number as soon as we have it.",
	"My payment was declined twice, but the money left my account. Can you check what happened? I paid with a credit card.",
	"Sorry, the item is out of stock. We will refund your money within 5 days. Is there anything else we can help you with today?",
	"I have not received my invoice. Could you send it to my email address? I need it for my company's accounts before the end of the month.",
	"The seller says the refund is on its way, but I still have not received it after two weeks. What can I do?",
}

// BenchmarkTranslate is one caller, one message after another: per-message
// latency (p50_ms, p99_ms) and messages per second.
func BenchmarkTranslate(b *testing.B) {
	benchMeasure(b, 1)
}

// BenchmarkTranslateConcurrent4 is four callers at once: throughput under
// contention (APY runs one pipeline per pair, so they queue).
func BenchmarkTranslateConcurrent4(b *testing.B) {
	benchMeasure(b, 4)
}

func benchMeasure(b *testing.B, concurrency int) {
	c := realClient(b)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	// Warm the pipeline: the first request starts it.
	if _, err := c.Translate(ctx, messages[0], "en", "es"); err != nil {
		b.Fatal(err)
	}
	texts := make([]string, b.N)
	for i := range texts {
		texts[i] = messages[i%len(messages)]
	}
	b.ResetTimer()
	st, err := Measure(ctx, c, "en", "es", texts, concurrency)
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(st.P50.Microseconds())/1000, "p50_ms")
	b.ReportMetric(float64(st.P99.Microseconds())/1000, "p99_ms")
	b.ReportMetric(st.PerSecond, "msgs/s")
}
