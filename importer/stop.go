package importer

import (
	"errors"
	"fmt"
	"io"

	"github.com/nearby-dev/nearby"
)

// DefaultMaxRecordBytes caps one CSV record or one GeoJSON feature: a
// parser holds a whole record in memory, so without a cap one unterminated
// quote would make the rest of a multi-gigabyte body a single record.
const DefaultMaxRecordBytes = 64 << 10

// StopError is returned when a file breaks partway: rows 1..Row-1 were
// streamed to the callback (each good or bad), and nothing from Row on
// could be read. Err says why; for a syntax error or an over-long record it
// is an EINVALID *nearby.Error, for a failed read the reader's error.
type StopError struct {
	Row int
	Err error
}

func (e *StopError) Error() string {
	return fmt.Sprintf("importer: stopped at row %d: %v", e.Row, e.Err)
}

func (e *StopError) Unwrap() error { return e.Err }

// stopInvalid is a StopError for a file that cannot be read on from row.
func stopInvalid(row int, format string, args ...any) *StopError {
	msg := fmt.Sprintf(format, args...)
	return &StopError{Row: row, Err: &nearby.Error{Code: nearby.EINVALID, Message: msg,
		Fields: []nearby.FieldError{{Field: "body", Message: msg}}}}
}

// errRecordTooLong is returned by recordLimit once a record runs past its
// cap; the parsers turn it into a StopError naming the row.
var errRecordTooLong = errors.New("importer: record too long")

// recordLimit reads from r but never more than max bytes past start(), the
// input offset where the record being parsed began. So the parser's buffer
// of one record stays under max plus its own read-ahead, whatever the
// input. Once over, every read fails with errRecordTooLong.
type recordLimit struct {
	r     io.Reader
	max   int64
	start func() int64
	read  int64 // bytes handed out
	err   error
}

func (l *recordLimit) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	left := l.start() + l.max - l.read
	if left <= 0 {
		// The record has used its allowance and the parser wants more:
		// unless the input ends here, the record is too long.
		var one [1]byte
		n, err := io.ReadFull(l.r, one[:])
		if n == 0 && (errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)) {
			return 0, io.EOF
		}
		if n == 0 {
			return 0, err
		}
		l.err = errRecordTooLong
		return 0, l.err
	}
	if int64(len(p)) > left {
		p = p[:left]
	}
	n, err := l.r.Read(p)
	l.read += int64(n)
	return n, err
}

func maxRecord(n int) int64 {
	if n <= 0 {
		return DefaultMaxRecordBytes
	}
	return int64(n)
}
