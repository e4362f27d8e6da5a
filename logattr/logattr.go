// Package logattr builds slog attributes whose key names their unit, so
// that a reader of the JSON logs need not know that Go writes a
// time.Duration as integer nanoseconds. It imports only the standard
// library: the agent uses it as well as the daemon.
package logattr

import (
	"log/slog"
	"strings"
	"time"
)

// Millis is d in (fractional) milliseconds, to the microsecond; key ends
// in "_ms" by convention, e.g. Millis("took_ms", d).
func Millis(key string, d time.Duration) slog.Attr {
	return slog.Float64(key, float64(d.Microseconds())/1000)
}

// Seconds is d in (fractional) seconds, to the millisecond, for waits and
// outages; key ends in "_s" by convention, e.g. Seconds("retry_in_s", d).
func Seconds(key string, d time.Duration) slog.Attr {
	return slog.Float64(key, float64(d.Milliseconds())/1000)
}

// ReplaceDurations is a slog.HandlerOptions.ReplaceAttr that writes any
// duration still logged as such in the unit its key names ("_s" seconds,
// "_ms" milliseconds) or else in milliseconds with "_ms" appended: a safety
// net under the call sites, which should use Millis or Seconds themselves.
func ReplaceDurations(_ []string, a slog.Attr) slog.Attr {
	if a.Value.Kind() != slog.KindDuration {
		return a
	}
	d := a.Value.Duration()
	switch {
	case strings.HasSuffix(a.Key, "_s"):
		return Seconds(a.Key, d)
	case strings.HasSuffix(a.Key, "_ms"):
		return Millis(a.Key, d)
	}
	return Millis(a.Key+"_ms", d)
}
